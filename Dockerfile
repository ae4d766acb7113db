# The bot's image: `docker compose up --build` (docker-compose.yml) runs it next to Redis.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY core core
COPY adapters adapters
COPY bot bot
RUN pip install --no-cache-dir .
# Not root; matplotlib (history charts) needs a writable folder for its cache.
ENV MPLCONFIGDIR=/tmp/matplotlib PYTHONUNBUFFERED=1
USER nobody
CMD ["python", "-m", "bot", "api", "--host", "0.0.0.0", "--port", "8000"]
