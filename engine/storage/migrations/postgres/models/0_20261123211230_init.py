from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "flow_revision" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "flow" VARCHAR(64) NOT NULL,
    "sha256" VARCHAR(64) NOT NULL,
    "source" JSONB NOT NULL,
    "first_seen" TIMESTAMPTZ NOT NULL,
    CONSTRAINT "uid_flow_revisi_flow_f82151" UNIQUE ("flow", "sha256")
);
CREATE TABLE IF NOT EXISTS "participant" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "pseudonym" VARCHAR(64) NOT NULL UNIQUE,
    "channel" VARCHAR(16) NOT NULL,
    "chat_cipher" TEXT,
    "language" VARCHAR(16),
    "flow" VARCHAR(64) NOT NULL,
    "revision" VARCHAR(64) NOT NULL,
    "node" VARCHAR(64),
    "path" JSONB NOT NULL,
    "variables" JSONB NOT NULL,
    "awaiting" VARCHAR(16),
    "ended" BOOL NOT NULL,
    "active" BOOL NOT NULL,
    "wait_until" TIMESTAMPTZ,
    "created_at" TIMESTAMPTZ NOT NULL,
    "last_seen" TIMESTAMPTZ,
    "version" INT NOT NULL
);
CREATE INDEX IF NOT EXISTS "idx_participant_flow_73f98d" ON "participant" ("flow", "node");
COMMENT ON COLUMN "participant"."pseudonym" IS 'HMAC-SHA256 of the user id';
COMMENT ON COLUMN "participant"."chat_cipher" IS 'the chat id, Fernet-encrypted';
COMMENT ON COLUMN "participant"."active" IS 'false while the user blocks the bot';
COMMENT ON COLUMN "participant"."wait_until" IS 'when the waiting node''s timeout fires';
COMMENT ON COLUMN "participant"."version" IS 'optimistic concurrency: +1 per saved event';
CREATE TABLE IF NOT EXISTS "interaction" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "flow" VARCHAR(64) NOT NULL,
    "revision" VARCHAR(64) NOT NULL,
    "node_before" VARCHAR(130),
    "node_after" VARCHAR(130),
    "kind" VARCHAR(32) NOT NULL,
    "input_kind" VARCHAR(16) NOT NULL,
    "input_text" TEXT,
    "input_media" VARCHAR(16),
    "output" JSONB NOT NULL,
    "buttons" JSONB NOT NULL,
    "saved" JSONB NOT NULL,
    "received_at" TIMESTAMPTZ NOT NULL,
    "responded_at" TIMESTAMPTZ NOT NULL,
    "update_id" BIGINT,
    "participant_id" BIGINT NOT NULL REFERENCES "participant" ("id") ON DELETE RESTRICT
);
CREATE INDEX IF NOT EXISTS "idx_interaction_partici_2b790f" ON "interaction" ("participant_id", "id");
CREATE INDEX IF NOT EXISTS "idx_interaction_flow_b05559" ON "interaction" ("flow", "kind");
COMMENT ON COLUMN "interaction"."input_text" IS 'what came in, kept for research';
COMMENT ON COLUMN "interaction"."output" IS 'what went out';
COMMENT ON COLUMN "interaction"."buttons" IS 'the buttons shown';
CREATE TABLE IF NOT EXISTS "processed_update" (
    "update_id" BIGINT NOT NULL PRIMARY KEY,
    "processed_at" TIMESTAMPTZ NOT NULL
);
CREATE TABLE IF NOT EXISTS "aerich" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "version" VARCHAR(255) NOT NULL,
    "app" VARCHAR(100) NOT NULL,
    "content" JSONB NOT NULL
);"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        """


MODELS_STATE = (
    "eJztnP9v2jgUwP8VK79cT9dNFFram04nQdeubGuZWnY3rZoiEx5gNdiZ45ShXf/3sw35Sp"
    "JLepQGyi8I7PcS5/Oc5+f3En4aEzYA2319brPpNdwTlzBqvEE/DYonIL+k9u8jAztO2Ksa"
    "BO7bWmEoJU0eFe27gmNLyM4htl2QTQNwLU4cMT8Z9WxbNTJLChI6Cps8Sr57YAo2AjEGLj"
    "tub/UJ1HHdMa4fNY1v3+R3QgfwA1wloH46d+aQgD2IXQkZKC3dboqZo9s6VJxrQXX+vmkx"
    "25vQUNiZiTGjgTShQrWOgALHAtThBffUBanxLgD41zgfeygyH2JEZwBD7NkiAqBvhm2GaV"
    "51e+bNWc80jRLILEYVbjlUV1/9SA3hVf3g8PjwpNE8PJEiephBy/HD/NQhmLmixnPVMx50"
    "PxZ4LqEZh1B9Y8Sxno4xT+fqyyfIyiEnyfoc89D6DSHbcIatA+4E/zBtoCMxlj+bhzkk/2"
    "pdn160rveah7+qEzJ5Q8xvl6tFT113Kdgh3MUML4E31NgBLgKYedyCZcDvb7pXGYADjQTg"
    "AbEE+gfZxF3yERsAOgesYqGOPHHd73YU6N5l60uS9enHblvDYa4YcX0UfYB2AvyQcFeYLg"
    "Bdhv9WYhNkAhkOJKaZNMJC9bX/ZQNNYXDAgy61Z4uVIsc0vc7l2U2vdfkpZp+3rd6Z6qnr"
    "1lmida+ZsFlwEPR3p3eB1E/0tXt1ljRjINf7aqgxYU8wk8q1Hg8ii5rf6lN7UMvx8C6ydq"
    "iGPrbuppgPzKUeVmdZsstdk/ok2YIpHmmbKbhqmIv4RS70oIKQjPAm2p0b3ZCE4Epjm0Qk"
    "c2s4mAtiEQdTYc4jEvkppcIg6E7Kz0OgwjFPm4xeStjze73eaBzXa43mydHh8fHRSS2If5"
    "a78gKhduedioViN84uOHrWtTu6xSgKOKqzg1wAMpUe0OzDkPGUKCmbc0LtUagX7qKapA8a"
    "tQKopVQma92XAhsP5QJTmnWgtUNdCLVeNktA9uW30Gk06gXwNuqZdFVXHC6hjifMsojjWu"
    "sDbRjrmcbNIrM4GZxHJnEzHbOAH2IZc0+25mH2tSrsLozpGAtkyYtFhO6jO3AEkgsKktsR"
    "wNwaG4WMkLd7OvvSy9/YBpunj92rd754crebZpQJDAguP/kDtQqbpTLTn3lCMiuTuwk11p"
    "+7Mf4YelRvG1HfI7Yg1H2tzvdnSe8zvyumQAVi82upXnKn7wkhR1DGNBGVDbaN3MejxZUg"
    "d8ymtJr2cfE9pCzNOUlPX6EatlGnLWubymZCOVhAJF4Tp/iy/FRoQnULc6Ebkvv0mSwlP+"
    "OGdh0mMT7O0nHdnakrbWrPUYYwyyZfY2r/nYPdgBBwjVnYkP5y0ry4CZZ1H2WHqt1c6zPE"
    "Urkn1S7LRjlnHMiIfoCZNkxHDh/T1ELromLzKX60DTPIgz/x/Nbw5uV4GhRyUuajJCGvH4"
    "RmcS1d1XXnVIJ/nqpa1AgpVbWEjbKraomp8cRVNb/MojKnu9pZRWtnjgvegNHZpEwaJaa0"
    "mhTiU5jCuLhsnb66uWjVj5qIDZHaN3oucDSfQs9f9rHGmFKwy6CPqKwxdyukKxxxPNnUHK"
    "6kJkzp+MZpNZ/sJG5CrcLpQp0TUcOVc3sfnQOnIF4BtfjMEVBwtq87h2tjOvLkgldm+kd1"
    "KmyOykz86j8asaa60Et+MGJjEevIsQReX377PMPq2TpYjMskp335auSmH1M3qGxu+h5zog"
    "CVKuXElKphlK0qGOApJkINqIT/iepsnw9afXQCKteesvtnzAZM0xkHOgnAfan0VJM9aFnv"
    "vG53ux9j87rdSYbVny/bZxK6Zi6FiMhI1qpHqe9T1tJc1KHSGln7+/4Sex99EDQdExvCPX"
    "7fZtadq3/32f+v4K/QFspJmB4VJGXjn1+fimuuoDq1tkeMgGpLLPwjUoHaL9I4cpTME2hI"
    "+Hwde1n1K4uDMs0jCpVxzS0sU27Z2znxtMcjX8mKKW7Mzf8iK9P3wNNTA5lVjYjG+kqhtZ"
    "J+nMlvE7mpIBaSxrM8zoFaszfotwPkyCVXP7+E4B5owfV2FW9Nl3jxLfr4aPB6Wcqmq73Q"
    "Pv9wDTYW6WZJf6Ntw9xsVn304UmrmZxZ4Low+KwfxDDSKpoJkf3cqqYvbHqh9FOWNjNLmc"
    "/2QMqusplS2QymRfn4Kqm7i7CqsvxW/P3nFnBijdNc2qIn15PhUOZZ/Nfur1ue4K9bMmPB"
    "7DxidjC4DW/C1Y+OCiQSpVRmJlH3JRJc8qYqQXghvoV0D2qF3uOs5bzHWVt6j1OeUUDa84"
    "TZ9YmIyu4vXErWIZ51MXv4F8L7atI="
)
