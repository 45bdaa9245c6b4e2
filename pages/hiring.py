from pages.common import coming_soon

coming_soon("hiring", ["candidates"])
