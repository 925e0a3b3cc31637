# audioml as a Hugging Face Space (sdk: docker, app_port: 8501) or any container host.
FROM python:3.11-slim

# libsndfile decodes uploads; gcc builds the pesq wheel (it stays in the image: removing it would
# need root after the installs below, and its layer would remain anyway).
RUN apt-get update \
 && apt-get install -y --no-install-recommends libsndfile1 gcc libc6-dev \
 && rm -rf /var/lib/apt/lists/*

# Spaces run the container as UID 1000.
# The app folder is made here, owned by the user: WORKDIR would make it as root, and the editable
# install below writes audioml.egg-info into it, the app writes runs/ there.
RUN useradd --create-home --uid 1000 user \
 && mkdir -p /home/user/app && chown user:user /home/user/app
USER user
ENV HOME=/home/user PATH=/home/user/.local/bin:$PATH PYTHONUNBUFFERED=1 TF_CPP_MIN_LOG_LEVEL=3
WORKDIR /home/user/app

# The app's pins only, as `make run` installs them: the test tools (requirements-test.txt) stay out.
COPY --chown=user requirements.txt requirements-nodeps.txt pyproject.toml README.md ./
RUN pip install --no-cache-dir --user -r requirements.txt \
 && pip install --no-cache-dir --user --no-deps -r requirements-nodeps.txt
COPY --chown=user . .
RUN pip install --no-cache-dir --user --no-deps --no-build-isolation -e .

EXPOSE 8501
# XSRF protection is off here only: the Space shows the app inside an iframe on another
# origin, where Streamlit's XSRF cookie is not sent back and every upload fails with 403.
# Run locally (`make run`), the app keeps the protection on (.streamlit/config.toml).
# Started as `make run` starts it (python app.py); .streamlit/config.toml applies (no file watcher).
CMD ["python", "app.py", "--server.port=8501", "--server.address=0.0.0.0", \
     "--server.enableXsrfProtection=false", "--client.showErrorDetails=none"]
