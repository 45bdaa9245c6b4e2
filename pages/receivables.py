from pages.common import coming_soon

coming_soon("receivables", ["receivables"])
