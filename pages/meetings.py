from pages.common import coming_soon

coming_soon("meetings", ["activities"])
