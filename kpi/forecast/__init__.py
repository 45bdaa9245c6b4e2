"""Forecasts with their uncertainty (issue 16): the chance to close the plan and the month-end
range (`sales`), who will come to an interview (`attendance`), when debtors pay (`payments`).

Each model says how sure it is and on how much data, and says so instead of guessing when
the data is too little. `backtest` replays the loaded history to measure calibration.
"""

from kpi import calendar


def backtest(con, scope, country: str = calendar.DEFAULT_COUNTRY) -> dict:
    """`forecast --backtest`: the calibration of each model over the loaded history, for
    the parts of the product `scope` may see (the others None)."""
    from kpi.forecast import attendance, sales

    return {"sales": sales.backtest(con, country) if scope.can("sales") else None,
            "attendance": attendance.backtest(con) if scope.can("hiring") else None}
