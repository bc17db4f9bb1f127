"""How dates, times and numbers are written in each of Refuge's languages (Django's
FORMAT_MODULE_PATH). Every language shows a 24-hour clock and the day before the month,
as people in Armenia write them, and groups thousands the way that language does."""
