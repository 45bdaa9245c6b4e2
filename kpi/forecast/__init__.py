"""Forecasts with their uncertainty (issue 16): the chance to close the plan and the month-end
range (`sales`), who will come to an interview (`attendance`), when debtors pay (`payments`).

Each model says how sure it is and on how much data, and says so instead of guessing when
the data is too little. `backtest` replays the loaded history to measure calibration.
"""
