"""Fixtures for the deployment tests: a local S3-compatible server (moto's server mode on
127.0.0.1) and the portal's default file storage switched to a fresh bucket on it, configured
by the portal's own settings code from FILE_STORAGE=s3 and the AWS_* variables.

Without moto the object-storage tests skip locally with the reason, and fail under CI=true."""

import os
import threading
import uuid
from types import SimpleNamespace

import pytest

REGION = "eu-west-2"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "portal-test", "AWS_SECRET_ACCESS_KEY": "portal-test-secret"}


def _unavailable(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"The S3-compatible test server is needed in CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def s3_endpoint():
    """moto's S3-compatible server on 127.0.0.1 (a free port), for this test process."""
    try:
        from moto.server import ThreadedMotoServer
    except ImportError as error:
        _unavailable(f"moto[server] is not installed ({error}); `make setup` installs it")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    # start() waits for ever if the server thread dies before it is listening: wait for it here.
    starting = threading.Thread(target=server.start, daemon=True)
    starting.start()
    starting.join(30)
    if starting.is_alive():
        _unavailable("moto's server did not start on 127.0.0.1 within 30 s")
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_storage(s3_endpoint, settings, monkeypatch, tmp_path):
    """The default file storage is a new, empty bucket on the local server, set up exactly as
    ics_portal/settings.py sets it up for FILE_STORAGE=s3. MEDIA_ROOT points at an empty
    folder, so a test can show that nothing went to local disk."""
    import boto3

    from ics_portal.settings import _file_storage

    bucket = f"portal-{uuid.uuid4().hex[:16]}"
    for name, value in {
        **CREDENTIALS,
        "FILE_STORAGE": "s3",
        "AWS_STORAGE_BUCKET_NAME": bucket,
        "AWS_S3_ENDPOINT_URL": s3_endpoint,
        "AWS_S3_REGION_NAME": REGION,
    }.items():
        monkeypatch.setenv(name, value)
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name=REGION,
        aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )
    client.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    settings.MEDIA_ROOT = tmp_path / "media"
    # Changing STORAGES resets django.core.files.storage.default_storage (Django's
    # setting_changed receiver), which every FileField and dataio/uploads.py go through.
    settings.STORAGES = {**settings.STORAGES, "default": _file_storage()}

    def keys() -> list[str]:
        listed = client.list_objects_v2(Bucket=bucket)
        return sorted(item["Key"] for item in listed.get("Contents", []))

    def read(key: str) -> bytes:
        return client.get_object(Bucket=bucket, Key=key)["Body"].read()

    return SimpleNamespace(
        client=client, bucket=bucket, keys=keys, read=read, media_root=settings.MEDIA_ROOT
    )
