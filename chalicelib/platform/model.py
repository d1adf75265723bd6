"""`Model`: the base of every pydantic model here. Schemas are built on first use instead of at import
(`defer_build`), so a cold start pays only for the models its first request touches: building all ~150
models at import cost ~170 ms, more than importing boto3 (see `make bench`)."""
from pydantic import BaseModel, ConfigDict


class Model(BaseModel):
    model_config = ConfigDict(defer_build=True)
