"""The yardstick: a bare FastAPI app with one JSON endpoint, served like skillpath."""

from fastapi import FastAPI

app = FastAPI()


@app.get("/hello")
async def hello() -> dict[str, str]:
    return {"message": "hello"}
