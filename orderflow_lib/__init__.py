"""OrderFlow: profiles, composite value and order flow for CME E-mini S&P futures."""
