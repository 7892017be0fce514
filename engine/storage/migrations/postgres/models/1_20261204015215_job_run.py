from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "job_run" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "job" VARCHAR(32) NOT NULL,
    "started_at" TIMESTAMPTZ NOT NULL,
    "finished_at" TIMESTAMPTZ,
    "outcome" VARCHAR(16) NOT NULL,
    "detail" TEXT NOT NULL,
    "host" VARCHAR(64) NOT NULL
);
CREATE INDEX IF NOT EXISTS "idx_job_run_job_06ec0f" ON "job_run" ("job", "started_at");
COMMENT ON COLUMN "job_run"."job" IS 'timeouts, backup, certificates, ...';
COMMENT ON COLUMN "job_run"."outcome" IS 'running, ok, warning, failed';
COMMENT ON COLUMN "job_run"."detail" IS 'one line: what was done or what went wrong';
COMMENT ON COLUMN "job_run"."host" IS 'host:pid that ran it';
COMMENT ON TABLE "job_run" IS 'One run of a scheduled job (timeouts, backup, certificates, ...): what the operator sees';"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP TABLE IF EXISTS "job_run";"""


MODELS_STATE = (
    "eJztXG1v2zYQ/iuEvqzD3DR1EqcrhgFJlqzpmrhIvResGwRaOltcZFKjqLhBl/++oyxZL5"
    "Y0yYsd2fWXwCLvKOo58nhv4WdjImxw/b0LV0xv4I75THDjNflscDoB/FHY3yEG9bykVzco"
    "OnRDhhFSmjJNOvSVpJbCzhF1fcAmG3xLMk/NXsYD19WNwkJCxsdJU8DZ3wGYSoxBOSCx4+"
    "PH8AV6XN+h3aOe8eef+JtxGz6Brwn0o3drjhi4duZLmK25wnZT3Xth2yVXFyGhfv/QtIQb"
    "THhC7N0rR/A5NeNKt46Bg6QK9PBKBvqD9HwjAOJvnM09IZlNMcVjw4gGrkoBMDSTNsM0r/"
    "sD88P5wDSNBpBZgmu4cap++PVjPYXn3ZeHx4evDnqHr5AknOa85fhh9uoEmBljCM/1wHgI"
    "+6miM4oQ4wTUWBhZWM8cKotxjelzyOKU88jGOFZBGzck2CYrbB3gTugn0wU+Vg4+9g4rkP"
    "zl5ObszcnNs97h1/qFAjfEbLtcRz3dsEuDnYAbrfAG8CYcO4DrACwCacEiwG8/9K9LAJ5z"
    "5AC2maXIP8Rl/oKO2ACgK4DVWOiRJ77/t5sG9NnVyW95rM/e9U9DcISvxjIcJRzgNAf8iE"
    "lfmT4AXwT/B4RNsQmUKJAMZ14IEete/GMDRWFIoHafu/fRSVEhmsHl1fmHwcnV+4x8fjgZ"
    "nOuebth6n2t91svJbD4I+fVy8IboR/J7//o8L8Y53eB3Q8+JBkqYHM96aqcOtbg1Ru1BH8"
    "ej29TZoRuG1LqdUmmbCz2iK8poF7sm3Um+hXI6DmWmwdXTjOwXPOhBGyEl5k26u9K6YTnC"
    "R7VtcpbMR8OjUjGLeZQrc2aR4F+kSoygW6SfmUC1bZ5TNv5SzJ5vu92Dg+Pu/kHv1dHh8f"
    "HRq/25/bPYVWUInV7+qG2hzMbZGUdPenanXYy6AKd5diDXAJmjBjSHMBKywEoqxznHthTU"
    "kbpoJ9IvD/ZrQI1UpViHfQVg0xEeMI2xnnPtoK4FdXhsNgA5pt9CpXHQrQHvQbcUXd2VBZ"
    "dxL1BmU4izXOsD2jDWs4x7dVZx3jhPLeJeMcwKPqlFmAfYWgVzzNVidWFMHaqIhR9LGO+Q"
    "W/AUwQOFoDsCVFqOUUsIVd7T+W+Dasd27jy961//GJPnvd0ioUzAZrT54p+ztVgsrVn+Il"
    "CIWZPYTcKx/tiN8d0o4KHbSIYBcxXj/p5+3/cNtc9sV0yBKyJm39K+4M4wUApn0EQ0KZYN"
    "lg368ST6EuI7YsrbKR+f3kHB0VwR9IwZ2iEb/dqmsmltJFSCBQzhNWmBLqsOheZYtzAWui"
    "GxzxiTheBnVtC+JxDG5SSd5d2JutWiDjwtCLNp8DXD9t8x2A0wAdcYhU3QXwya1xfBIu9S"
    "cmjb5lqfIBbSPYVyWRTKhZDAxvwnuA8Fc4nTp7ww0RplbN5nR9swgTzECy9uTTavpNN5Iq"
    "dgPSIS+P2gQixuUFXdXJ4h8E+TVXsrhjdBYUIt6ulU5dL+EkNTBvXyaEafA0FiIkaEEt9y"
    "wA5csAmOQZ7pIw+9Ib9D9GcFXodYgLiNmIUrAlv39va+fk1Cz0mb6MLTS0VI4gP4eRN9ZS"
    "/6g6MN+4LaE8Zf4GD+C0K5TRi2TQBfbvl7RqdeVhC5NSnuEKlmJsEuAdjOBGAkqbpRoIi8"
    "zUFmo8YWqOf1rjoKndoeDa3tLOfO1m61rT1inPnOUnLOsT6CoFtmf2+TnFHnWGLSKAudYl"
    "ljOgltB66F0lCvRmwdIm47BC2z2cOIMncWenv6gLsNCmfTJNeUcLQ3nYcGNRCXcYjstin1"
    "ia3b0GxLYu1TKSKRti7j5Ai/QPOV74qYvsUi0VN87TEbjWgUgKScsJqpjlXUw7SkgjHt8B"
    "Y4XDl/uNzryrnhK65gjEvadJXKzk1pqZvi+RCgzrufNNEjGabHUSarEIXx5urk7PmHNyfd"
    "o5726bVfHvggCVvqWH38EjvLoZxDwblaDn2KZY1aXIELY0knq8q8rdp+QdSUiYrPKaqvKz"
    "dicmwtLs0I8896uri2O+QCJAf1HLgl7z1V14hct/XiUj4O8MBrsvzTPC0WR2sWfvvL0NdU"
    "g/clF6FvLMSh5dgA3ph++zTD42PrUeUsYlteCBTTt6MOaJkardbWAd1RyTRAjcrmMkztEM"
    "pWFWfRKWUqCubV1T9pnu3TQY9vnYCuayrw/oVwgfJijOc8OYCHyLSqxT5vWe+6Pu3332XW"
    "9ell3qz++er0HEEPMUcipjJuf2o141a9KzhLK6FOmNaIdez3N/B9wkHI1GEuJD7+0BXWrR"
    "8+D8X/r5Z+RFloJWEGXBUF1KuzVlnOjUlaGVMHeCiJSD8Sbah9hcKZJZTJiMnFaoztz2tZ"
    "Euhyaeos5xamqbfsJoRs2GPJ6y8yjBuz+b/IjPUdyOLQQGlWI8WxvrLT/YZ6XOCvCToVzC"
    "IoPCuQErh1/5p885J4eOSG/ytC4A543ZTdI9xQ1SBFl/5XvflVHgVO12nEffHTDbhUFYul"
    "+PaQDVOzZbWoDyvNZkphge+D/XNY9G4UZTRzJJ3KrGZMbAYJ9SpTm6WpzCcr/t9lNgsym/"
    "Nl0dy+yvPuLKy2HL8tv2vqBCSznCKVFvVUajKa0DyJ/tpdk7mCazJLbcHyOGK5MdiqgvAl"
    "44jdo6MagUSkKo0khn25ABduqgYIR+RbiO7L/Vp35uxX3Jmzv3BnDr5RQdH/bpXnJ1Isu+"
    "syG+YhnvQwe/gXWVmxIg=="
)
