from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "media_file" (
    "key" VARCHAR(512) NOT NULL PRIMARY KEY,
    "file_id" VARCHAR(256) NOT NULL,
    "uploaded_at" TIMESTAMPTZ NOT NULL
);
COMMENT ON COLUMN "media_file"."key" IS 'the file''s path';
COMMENT ON TABLE "media_file" IS 'Telegram''s file_id for a local media file once uploaded, so it is uploaded once per';
        CREATE TABLE IF NOT EXISTS "outbox" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "chat_cipher" TEXT NOT NULL,
    "priority" SMALLINT NOT NULL,
    "message" JSONB NOT NULL,
    "status" VARCHAR(20) NOT NULL,
    "attempts" SMALLINT NOT NULL,
    "error" VARCHAR(200),
    "created_at" TIMESTAMPTZ NOT NULL,
    "sent_at" TIMESTAMPTZ,
    "participant_id" BIGINT NOT NULL REFERENCES "participant" ("id") ON DELETE RESTRICT
);
CREATE INDEX IF NOT EXISTS "idx_outbox_status_81504a" ON "outbox" ("status", "priority", "id");
CREATE INDEX IF NOT EXISTS "idx_outbox_partici_28505a" ON "outbox" ("participant_id", "status");
COMMENT ON COLUMN "outbox"."chat_cipher" IS 'the chat id, Fernet-encrypted';
COMMENT ON COLUMN "outbox"."priority" IS '0: a reply to someone who just wrote; 1: bot-initiated';
COMMENT ON COLUMN "outbox"."message" IS 'the outbound message: text, media, keyboard';
COMMENT ON COLUMN "outbox"."status" IS 'queued, sending, sent, sent_unconfirmed, failed, dropped';
COMMENT ON COLUMN "outbox"."error" IS 'code and description';
COMMENT ON TABLE "outbox" IS 'A reply waiting to go out, written in the same transaction as its interaction; sent by';"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP TABLE IF EXISTS "outbox";
        DROP TABLE IF EXISTS "media_file";"""


MODELS_STATE = (
    "eJztXW1z2zYS/isYfakzpzi2HDs55+Zm5JzduI3jjO3edZp0WIiEJMQUwAKgFU2b/34LkB"
    "TfFVKxZMjRh2QsYJeEngX2FYD+6ky4R3y523ddHjLVOUZ/dRieEPij2NVFHRwEaYduUHjg"
    "G1qcIRpIJbCrnzXEviTQ5BHpChooypkm7iMPy/GAY+Ehn48oO0YT7BE0pWqM/nB9+tkdY4"
    "WwN6EMuYJgRf54hdSYoABLOeXAdksCIJAIM4TFiLOefrPHXXg1ZaNVveQjG8MzEWf+bBdd"
    "cZ/IY3RHyZQItBNIEnqczSY8lPBqhZ8Anxc/fweA4CgGSZqOT3wgn+zqYYeM/hkSR/ERgd"
    "cLGPyH36GZMo98JjL5GNw6Q0p8Lyci6ukHmHZHzQLTds7UmSHUiAwcl/vhhKXEwUyNOZtT"
    "00hoI8KIAAj045UItdBY6PuxeBM5RiNNSaIhZng8MsShr0WvuaMBpG0dx3l3eeNcn944Tq"
    "c0LRKOjBDjJpczPaVgqNJ8+5EewtPe/vMXz18eHD1/CSRmmPOWF1+iV6fARIwGnnc3nS+m"
    "H2QUURiMU1BDSYT5uwTt6zEW1dhmeQoIw9CLCCd42gvxBH92fMJGagwfj54vwPO//avXb/"
    "pXO0fPn+gXclj6kUp4F/f0TJeGPIU4WWKOXk9tcC4x3g/YSUOKdqq6loe7E2mNaN21Bb13"
    "eNQAdaCqhd305XEXoLPawJ3Qrw/lTqRPOy2RjrUwF5HCXQbw/SZ479fDvV9CO7IqnoNVGf"
    "P/QI+iE1KNe56zgL4Xs+4mf9gz45srGPiC3iXY0VixLYD+5vzi9Pqmf/Fev24i5Z++wa9/"
    "c6p7jOGfzAqtO0UxzR+C/nd+8wbpj+i3y3enBl4u1UiYN6Z0N7919JhwqLjD+NTBXkYHJ6"
    "0Jajmp+1gqx3gcbaWe57wHqcfDtUXoGyLkBJOSlLUbNrzN+Ay6YYDd2yk4mU6ph/d4HW25"
    "a9KbFFswwyMjJI2mHmfskJ/5fHpF7qiM4C857Ln+hV77ECgdkSX9mu9eL+sKL/aDeYF+rh"
    "xjsEad37d+7QP6tYkwmhr/hN5mF8sajzae4S3gTTm2ADcBmIfCrXBef7q+fFcD8JyjaEqp"
    "q9DfyKeypCM2AOgFwGoscgY0AXTnov9rEevXby9PipZRP+CkAPyQCnBLJCGt/Zk859aLtc"
    "XBqfNiLfFvwNAT7YTUuDfZ7oXeDS0Q3qtvU/BkPnQCLBR1aYCZciKPBP4HqtQJugX6yAVq"
    "7POc0NH34vb8s9c7OHjR2zs4enn4/MWLw5d7c/+n3LXIETo5/1H7QrmFs3WOHtR2Z0OMxq"
    "mnDM8W5AYgM9CAzoAMuWiV4iuwLQW1ZXmGQl7vYK9JYu9grz6zp/sqwMZDFWUqW2E959pC"
    "3QhqYzZbgJzQP0KlcdBrAO9BrxZd3ZUHl7IgVE5biPNcaywOtCwLLDuN770SEAGmyOeKSs"
    "ANtC6COeGyWF10prqU7sKXRZR1o7o5GBQE4QjBwh03K8csip5Of71ZHNjOg6e3l+9+TMiL"
    "0W6VUCbEo7j95J+zWSwWa6Y/DxVg1iZ3k3KsP3fT+dcwZCZsRIOQ+ooyuavf9++2RUmzKq"
    "aEKcSj72JfcmcQKgUjaCOaDMsGy0Zv9Im/CZJjPm1YMl63fCS+IxWmeUHSM2GwQzb6tW1l"
    "Y20mVBCX0LulCvoF1keYC92Q3GdtcTcvaBlwgHE5Sed5t6K2WtRhoAXhtE2+5ti+noPdAB"
    "dwjVnY7D7AYtK8uQjKvEvJwbbFtT5BlMo9lXIpC+WMC0JH7GcyM4I5h+FjVllojSs27/NP"
    "2zCBfEkmXtKaLl6Bp/NCTsV8BCTg+xNlsLgCVXV1/hqAf5iq2k98cBVWFtTinu6iWtonPn"
    "BE2KyO1rlkBAEx4kOEkXTHxAt9Yna8ox1t8iAakl2kv1YYdJFLALchdWFGQOvu7u6TY2Qi"
    "J+2i80BPFS6QJEQWXfSVvegjAx/2mdlJ+kzv039mduxTaJsQeLkrG+7b/6Bx06SwQkS8n3"
    "NbALSzABhLqmkWKCa3OcncabAEmkW9q85CZ5ZHS287z7n1ta32tYeUUTleSs4F1u3eaJvl"
    "DDrH5e3OT2VY1lhOAt+BaaG01KsxWxfx2y4Czyz6MMTUJ0sd9bn/hLtHFIymTa0p5bC3nA"
    "cONUE+ZST226ZYIk+3gduW5tqngscita7iNOayQvPVr4qE3mKR6CEeB9QDJxoEIDBDtGGp"
    "YxX7YSzZwXihi4Nn1IyxFG6lnQsjLlNghBfGdF8Num4g0hwJPPlBIs0EIagpwWLkcxf7yD"
    "zO9CAOwToKA59jj3hdJDmIDFE5b4oIgvgQXjbeWsE7PsJkhLbZBJZuFzGu5j0oENwlUqKo"
    "kKwdvW89Ln1LZm2WX0xu73leU8XSeINAAqwa1tnzC+9wv4k7D1S1S8/0fWV3ZTRb2oCfYb"
    "E5yFqyxr6S073J4lrCvy6wbgMp6xxsS0zbZagG/PMF6GU8qjRveYKFJo4b0mbmrQ82IPBn"
    "4PNRBWJGiqMR1/sqwAMXVCnCdH5O60OptyHB05iM9v7rGzyogn/pcYBXSGpPcTArWbjVvO"
    "YjMylG8FShwdPn1IfmGanpQzugGcCz3XXHmDGNo4pt7W7EEt0mMsHi1hhPGKLZRxo9+QTM"
    "Zv/9+Q/6ZhE5JUJfTjKFD4LEd5hoUvNu+E7H8at9ekfEDL6vq+86gRER7I7BhhvBNU5wgl"
    "1WYbQZRFAOEBlMk6MP5Zx4TL/NgtqZBdV34jggsHHVxub66LHAZrPBNj6TufqHgmN6RgQj"
    "6ilhrpgFqmn4vu64Mbu08iK5nmDfry+RZvjWVxzdaymQvWOIICK1C+pW8gnRmnI65uhTKE"
    "08r8grtH+MBlw9pQwUM24sqXhVHfReHM3Xkf6waOVcX/Tfvi3XqiepSWu6GSvDsglHUM3S"
    "MEY51LYmGjxoQVj23Si403t7Z+ZOrW9eKKvZLje3Rk3DjIz9Wl+SBUhDkoylsXQirm5ix8"
    "0fKvrfCRkgP6RiogmiTGQXeYIHwXIpyV6Tgxy9+nMcvdIxDgzO0yRQFcJZrMOyfNbqsLZW"
    "/j70ERGCtzp9NGeweMs64OUR4+pm25eawM1m8KIpXJrD2wudlnKJNiG8zlkRrVGXqEWnbN"
    "v6pM3y3e463O46tF0gj2TXYVYIFcnCgozqU4WFqbHiuzySyx30ee1tqsrSVNX8wuU2PnCO"
    "yeLC3puL/uun12/6vcOjJFmsrxhGy90le/+XTcRp6jbQZ1jWGGonafSWwbY1R2cfMCG7po"
    "hvA/OxPmajsDIXWD/9szwWi8OaiW//hUxruo3ie76OaWMhNp5jC3gT+senGVbx4wGq4jcD"
    "6qswCb0dJ+KXua3A2hPxd1hQDVCrCyRyTHYI5VFdU4DjzStt9E+W5/HpoPv3TvSenKron3"
    "OfYFZTf0l4CgAPgGlVk33est55fXJ5+TY3r0/Oi271LxcnpwC6wRyIqMqF/ZnZDEv1rsKW"
    "LoQ6ZVoj1knc3yL2MQ9B07HeMj2P8Qc+d2+l+Tzg335v0D3KQisJJ2Sq6mjJ4tpInnNjyi"
    "Od6ZhE2/2SDYHaUfsBhBMdrURDKsrnkh9/BWVbCK23PI/rTvDSL9sscxF8jnFjFv93WRu9"
    "I6I6NVBb1chwWLs/p8PhrwkEFdRFIDw3FIIwd3aM/rFvjhqZW9MQuSOs6eG1e/itlhY7+r"
    "OXVs63l1cEXScx99nPV8THqlos1ffob5iarauPFg8ixwcMloepdJ7hsQC10rJvdHSPeL+Y"
    "e7I6VaXfAkl3Yfk3IXbClHqVNeDamu+D3Re2LQFXlIDn06K9I1rk3bqitvgplv88TZ8I6o"
    "6rVFrcs1CT4ZTmQfTX9pf1VvDLerVOc33Ctd5rtuq01JIJ197hYaPjzYcLjjcflk4QwKJq"
    "gXBM/gjR3W+0t31/wd72/Yq97RzigaqNl/WFnAzLJhxvsqpg86DG7Mv/AWRgjg8="
)
