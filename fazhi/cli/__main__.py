from fazhi.cli import app

app()
