# One image for the web app, the delivery worker, migrations and the development mail catcher (compose.yaml).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 FLASK_APP=wsgi.py
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# The compiled catalogs are build output, not in git.
RUN pybabel compile -d translations \
 && useradd --system --home-dir /app coalition \
 && mkdir -p /app/instance && chown coalition /app/instance
USER coalition
EXPOSE 8000
CMD ["gunicorn", "--workers", "4", "--bind", "0.0.0.0:8000", "--no-control-socket", "wsgi:app"]
