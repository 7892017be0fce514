from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "daily_activity" (
    "day" VARCHAR(10) NOT NULL PRIMARY KEY,
    "messages" INT NOT NULL,
    "test_messages" INT NOT NULL
);
COMMENT ON COLUMN "daily_activity"."day" IS 'YYYY-MM-DD (UTC)';
COMMENT ON TABLE "daily_activity" IS 'Interactions per UTC day (test participants'' counted apart), for the overview''s chart.';
        CREATE TABLE IF NOT EXISTS "node_reach" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "participant_id" BIGINT NOT NULL,
    "flow" VARCHAR(64) NOT NULL,
    "revision" VARCHAR(64) NOT NULL,
    "node" VARCHAR(64) NOT NULL,
    "first_at" TIMESTAMPTZ NOT NULL,
    "test" BOOL NOT NULL,
    CONSTRAINT "uid_node_reach_partici_0aa983" UNIQUE ("participant_id", "flow", "revision", "node")
);
CREATE INDEX IF NOT EXISTS "idx_node_reach_flow_004592" ON "node_reach" ("flow", "revision", "node");
CREATE INDEX IF NOT EXISTS "idx_node_reach_flow_d511b1" ON "node_reach" ("flow", "node", "test");
COMMENT ON COLUMN "node_reach"."test" IS 'a console or simulator participant';
COMMENT ON TABLE "node_reach" IS 'The dashboard''s funnel summary: a participant''s first arrival at a node of a flow';
        CREATE TABLE IF NOT EXISTS "summary_mark" (
    "name" VARCHAR(32) NOT NULL PRIMARY KEY,
    "last_id" BIGINT NOT NULL
);
COMMENT ON TABLE "summary_mark" IS 'How far (interaction id) a summary has read.';
        CREATE INDEX IF NOT EXISTS "idx_interaction_receive_215c14" ON "interaction" ("received_at");
        CREATE INDEX IF NOT EXISTS "idx_participant_last_se_5293fe" ON "participant" ("last_seen");"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP INDEX IF EXISTS "idx_participant_last_se_5293fe";
        DROP INDEX IF EXISTS "idx_interaction_receive_215c14";
        DROP TABLE IF EXISTS "daily_activity";
        DROP TABLE IF EXISTS "node_reach";
        DROP TABLE IF EXISTS "summary_mark";"""


MODELS_STATE = (
    "eJztHWtz2zbyr2D0Jfac4tpy7OTcm5uR87i4je2O7d71mnRYiIQk1CTBAqAVTS///RYgKf"
    "FtUpFk2GE/pBawS4C7wGIf2OVfPY85xBV7Q9tmoS97J+ivno89An/ku/qoh4Ng2aEaJB65"
    "GhangEZCcmyrZ42xKwg0OUTYnAaSMl8BD5GDxXTEMHeQyybUP0EedgiaUTlFv9su/WxPsU"
    "TY8aiPbE6wJL9/j+SUoAALMWOAdksCABAI+wjzCfMHamSH2TA09SebGuSTP4VnIua78z10"
    "xVwiTtAdJTPC0U4gSOgwf+6xUMDQEu8CnhM/fwcIwVBMJKE7/mAjsbunph369M+QWJJNCA"
    "zPYfIff4Nm6jvkMxHJz+DWGlPiOhkWUUc9QLdbch7otjNfvtOAiiIjy2Zu6PlL4GAup8xf"
    "QNOIaRPiEw4kUI+XPFRM80PXjdmb8DGa6RIkmmIKxyFjHLqK9Qo7msCyrWdZF5c31vXbG8"
    "vqFZZFgpFiYtxkM18tKZiq0G8/UVN4Pjh48fLFq8PjF68ARE9z0fLySzT0kjARoibPxU3v"
    "i+4HHkUQmsZLooaCcP13gbSvp5iX0zaNk6MwTD1P4YSe5pLYw58tl/gTOYWfxy9q6Pnv4d"
    "Xr98OrneMXu2pABls/EgkXcc9AdymSL0mcbDFL7ac2dC4grofYScOS2kvRtTq5e5HUiPZd"
    "W6IPjo4bUB2gKsmu+7J05yCz2pA7gd8elXuRPO21pHQshRmPBO4qBD9oQu+DanIfFKgdnS"
    "qOhWWR5m+gR1KPlNM9i5mjvhOj7iV/mLPimwsYeEHnEs7RWLDVkP7m7Pzt9c3w/Cc1nCfE"
    "n66m3/DmrerRB783z7Xu5Nm0eAj6z9nNe6R+ol8vL95q8jIhJ1yPuIS7+bWn5oRDySyfzS"
    "zspGRw0ppQLcN1FwtpaY2jLdezmGvgejxdU5j+SJic0KTAZaWGjW9TOoNqGGH7dgZKplXo"
    "YQNWBVvs8gZevgX7eKKZpKip5hkr5G8wdedDW9I7KudlGnsWoFZvdxSohdOw96rvoGASBQ"
    "E/BQpA6v588xo03jnakURIUJ+5pDYNMHD9GdIaLwE9WDXv9tEYRLRSstkd4UpoPxMI9HAu"
    "9woK/OaG+QqFG8Zvc37G4OZqhL3/wn/Pz8+fv3mDdoDAuyudnPtNTs796pNzf/celdwjQs"
    "BmEC2snTTK/TbPuo7MfaNtniVB1RayVqBqAa8jrSKtISfDO5fNrsgdFREJCgdDpr/2XBgD"
    "pMXToPcdC9X0LhG3H/UA6rliisFO6f3WeTwe0OORMKPpsZbAm2x8G+PriFd4C/IuMToCNy"
    "EwC7ld4tb44fryooLAC4y8kUVtif6HXCo2dow9jH2laJExrRKC7pwPf8nT+vWHy9O8zaQe"
    "cJoj/Jhy0AYEIa0t3Sxm598wxfSt8m8Yot+kTMIy9SbdXavd0BzgWnWbnCbzsZeyVK1II4"
    "F/AWqpBN0CfNTCiU3oXeT5+62VEnRKJ9+KHvT3weDw8OVg//D41dGLly+PXu0vFKJiV51m"
    "dHr2L6UcZXZSpy096GGetjkaRylSOB2RGxDZB5FojciY8VbRoBzaSqQ2zCWdc2QdNvJkHd"
    "a4sg73S4mNxzIKarWi9QKrI3UjUutztAWRE/gnKDQOBw3IeziopK7qyhKX+kEorbYkzmJt"
    "MY7cMoK86jJee9A4Ipgkn0uCxjfQWkfmBMtgcdGbqVtXNrwson4/umKlgjVgnxDM7Wmz+E"
    "OdOfX2l5t6S3dhTX24vPhXAp43f8uY4hGH4vaLf4FmMFuMWf4slECzNs6cJcb2nTm9f4xD"
    "X9uRaBRSV1Jf7Knx/tlS+kS7YkZ8iVj0LuZ5e0ahlDCDNqxJoTxi3qg4cvwmSEzZrOHtom"
    "3zR+A7UnI013hBEwQzeKOGbcsbY12jaT9OgSX1vtEc6hN0jj4SZ2jlPaAso0XAgIyrcTqL"
    "27HaaFaHgWKE1db5mkFb6bqEaSrgFr2w6SvjeS96cxYUcbd3beVJMKIQ/ynlS5Ep7xgndO"
    "L/SOaaMWcwfeyXRl7jEM5P2ac9MoZ8SRZe0rrcvBzPFoGckvUIlID3J1LT4gpE1dXZayD8"
    "w4TZfmCjq7A0whb39OuCa3+wkcXDZoG13qVPEAAjNkYYCXtKnNAlOjkK7agjD6wh0Ufqtc"
    "Kgj2wCdBtTG1YEtO7t7e2eIG056auegVoqjCNBoqtpmdukmxrokw867Hc66eA7ldL1nU7u"
    "otDmERjcFg1vnH5UdFOgsEO47AKADy3x+jUBwJhTTb1AMbjJTuZegy3QzOrdtBc6tT1aat"
    "tZzE7XNlrXHlOfiulKfM6hdmk0JvMZZI7N2qXaplC2GE4C3cFXTGkpV2O0PmK3fQSaWfRj"
    "jKlLVsoKXb/D3SESZtMm1rTEMDecBwo1QS71Say3zbBAjmoDtW3pa59xFrPUuIjTlIkSyV"
    "e9KxJ4g1mipngSUAeUaGAAxz6iDUMdm7gPY8iVxnMVHHxH9RwL5tays9bi0gFGGDCGu9fo"
    "ugFLc8Kx90wghQQmqA7BYuQyG7tIP073IAbGOgoDl2GHOH0kGLAMUbFoigCCOF87bW9tYI"
    "xPsBihbe7B1u0jn8lFDwo4s4kQKAokyzUk+t2SVol+MbjBiX7KclX0BoYEWDaMs2c33tFB"
    "E3UeoCq3nu6753ZltFraED+FYrKRtWKMfSOFIJLNtYJ+nUPtDCnjFGxDjrYL+N8Vwfa07G"
    "hbdtYebfoaJF/A3X+0gZRb1H1SZw/o38RFIvQ8zOcncP6kfK/6bOJCIsw5vYNTSdWDQmrI"
    "yE2YXNzOHmzrHuGTn9xfBitBeSnZDKkXRjsgAUCD3RMSls5E7ah41L14MHRLSCDUcTnmzN"
    "O+yVRmg/gEE1NFUUDdUqqWQIBzqw/YaGCY6ISguCQVIAs9dlSdyid3gCls7IvMMysrVpWl"
    "OST0S9/PVu9eyPb8WAOazpPQLf0oC7nzjhrqHe0CdYZETLs8lS5P5XETOZH3bZImOuI2JG"
    "6Ug7uKf32J1yn/xin/+SovJQcwYy7Bfjl3E5QcZ0eAsylmLlraVFZEim3M1Q5dQb3Q1RH5"
    "3GWUr+L26eXlhwyjT8/yftufz0/fXu0caA4DEJV1V2Yexgi7DOWIfT6PKvb0SgyxLEC/zh"
    "hjGrSZITZEnATuHM0wlcAAJBmaMHW5vY9mnEpJfHVJQpksQuWCwNN8EdkYquKuslZSZsf3"
    "SCh3/WhesMY2M8wnX9/zAGMMGhxVV3Ksn7H0Py6MMxuMK1/RUcYOz70IJar+qywu7cGEKe"
    "pkvujJp0yi4U9nz5StJcBEU8WEleHFSVxzWIHqseGdTuKhXQom2Rze11a1iWFG2kiMazE1"
    "vmUiJJZhdCOfU8bjom9JQnpR/47hO2PLTGNL1bC2gGHTsuzS6hBeDs1kfUk7rnWpbur00T"
    "vCfSKfE9/m80A2jaFuO3iX3lpZllx72HWrzd8UnrGF1Xr7yskViV0Qt4J5REnK2ZShP0Kh"
    "g6qSfI8OTtCIyefUB8GMG3Mq3lWHg5fHi32kftTtnOvz4YcPRfPXWx5pTTNiUiiPoTCQ3h"
    "r6UA7VWRNNHqQgbPt+FGFTCZZz7TP86o2ymZylxWnU1MRLnV/bi3QDaEiSuTTmToTVT85x"
    "/YeM/rVCHygPlpSnAKLrIH3kcBYEq90LGTTJph9UJ9MPCrn0GJQnL5AlzKmXYWk8Y2VY21"
    "N+HfKIcM5alYBYIBicNwz0cohWddPtKy3gZiu4bgkX1nBXgH0lleixuTm0RF3hQvASrbsk"
    "ajJ/u4hSl/plOkOeSOpXmgklzsIcj6pdhbmlseEKi5n7AdqRpT+loeuLdp4rMz1Xi++ltV"
    "GJM0gGX7Z8fz58/fz6/XBwdJz4jtUXwtBqn4Jaf+wv9lq3IX0KZYuWd+JVb2l7rxhk3cAn"
    "oB7OP7slA/ARumdd7E/CUtdg9fJP4xjMDmMWvvmXj7ZUIfBbvnr0aEm81YtHRkuGTXz7U5"
    "Z88rM6KJPAm1GlbJUKcutw2mwk/HKHOVUEalXUL4NkBlOeVOk4HN9laSN/0jhPTwatXztR"
    "V3TKrP+6m3ELHLOvxq1jXX/l1bfMalafliw5S2tJvUTaIq0Tu7+F7aMfgmZTlca6sPFHLr"
    "NvdUKNugDx1RbQGnmhhIQV+rIs3b8+VJLFfDTRkt5sSqLbf8n9QKWoPQPmROVuVHJWsVbU"
    "0w+odHHR6pPnaX24qfBh6lW+1pVBfDSb/5sMld4RXu4aqIxqpDCMva7TY/CXB0YFtdW9fz"
    "vknPj2/AT97UCXf9CVrBG5I02v/W/5m6/pDwksc2lLlKIY+92PV8TFspwt5R87e2Ritipc"
    "mi8OFecbrE6mQnrDUyHURqPAUTkV4vysaxf3yiLBOZB+bTQ4AbbCJfQmQ8KVMd8Hq+HchY"
    "BLQsCLZdFeEc3jdqqoKXqK4d8QvY5qZ5xjflsm19LdtTItrsFheQnkvSlx79kMujjaSSkB"
    "iDq7qiBxXNBjigVSXC8UW22N/BUyUv+/sB1rgh94ndUYH1YubqR6bbUE1JZV28MohWSsxm"
    "7gSWSI/BkSTstLIsU9tVIHL2EeRH8qW6vfyoW5r7IW66RApdFeLXOrrXajkjdXFLyDo6Mm"
    "ySBHRzUl744KCU2wqVpQOAZ/gtQ9aJRqc1CTanNQkmrDQC8puwdeHUhOoTyGbEujAsYPep"
    "h9+T/fWVP1"
)
