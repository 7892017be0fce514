from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "daily_activity" (
    "day" VARCHAR(10) NOT NULL PRIMARY KEY /* YYYY-MM-DD (UTC) */,
    "messages" INT NOT NULL,
    "test_messages" INT NOT NULL
) /* Interactions per UTC day (test participants' counted apart), for the overview's chart. */;
        CREATE TABLE IF NOT EXISTS "node_reach" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "participant_id" BIGINT NOT NULL,
    "flow" VARCHAR(64) NOT NULL,
    "revision" VARCHAR(64) NOT NULL,
    "node" VARCHAR(64) NOT NULL,
    "first_at" TIMESTAMP NOT NULL,
    "test" INT NOT NULL /* a console or simulator participant */,
    CONSTRAINT "uid_node_reach_partici_0aa983" UNIQUE ("participant_id", "flow", "revision", "node")
) /* The dashboard's funnel summary: a participant's first arrival at a node of a flow */;
CREATE INDEX IF NOT EXISTS "idx_node_reach_flow_004592" ON "node_reach" ("flow", "revision", "node");
CREATE INDEX IF NOT EXISTS "idx_node_reach_flow_d511b1" ON "node_reach" ("flow", "node", "test");
        CREATE TABLE IF NOT EXISTS "summary_mark" (
    "name" VARCHAR(32) NOT NULL PRIMARY KEY,
    "last_id" BIGINT NOT NULL
) /* How far (interaction id) a summary has read. */;
        CREATE INDEX "idx_interaction_receive_215c14" ON "interaction" ("received_at");
        CREATE INDEX "idx_participant_last_se_5293fe" ON "participant" ("last_seen");"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP INDEX IF EXISTS "idx_participant_last_se_5293fe";
        DROP INDEX IF EXISTS "idx_interaction_receive_215c14";
        DROP TABLE IF EXISTS "daily_activity";
        DROP TABLE IF EXISTS "node_reach";
        DROP TABLE IF EXISTS "summary_mark";"""


MODELS_STATE = (
    "eJztXW1z2zYS/isYfYk9pyi2/JKce3MztuM0bmO74yjXXpMMC5GQhJoCVAC0ounlv98CJM"
    "UXkTSpWDLsqB9SC9glyGfBxb4B/Ls15h7xZefYdXnAVOsI/d1ieEzgj3xXG7XwZJJ06AaF"
    "+76hxSmivlQCu/paA+xLAk0eka6gE0U508THyMNy1OdYeMjnQ8qO0Bh7BE2pGqE/XJ9+cU"
    "dYIeyNKUOuIFiRP35AakTQBEs55cB2QyZAIBFmCIshZ109ssddGJqy4aoG+cRGcE3EmT/r"
    "oGvuE3mEbimZEoG2JpIEHmezMQ8kDK3wNvB50fW3AAiOIpCk6fiT9+V2R992wOhfAXEUHx"
    "IYXsDNf/wMzZR55AuR8c/JjTOgxPcyIqKevoBpd9RsYtrOmXpjCDUifcflfjBmCfFkpkac"
    "zalpKLQhYUQABPrySgRaaCzw/Ui8sRzDO01IwltM8XhkgANfi15zhzeQtLUc5/Kq57w/6z"
    "lOa2FaxBwpIUZNLmd6SsGtSvP0Q30Lz7u7+y/3X+0d7r8CEnOb85aXX8OhE2BCRgPPZa/1"
    "1fSDjEIKg3ECaiCJMH8vQHs6wqIY2zRPDmG49TzCMZ72QjzGXxyfsKEawc/D/Qo8/3N8ff"
    "r2+HrrcH9bD8jh1Q9VwmXU0zVdGvIE4vgVc/T71ATnBcb7ATtuSNBOVNfycLdCrRG+d01B"
    "7x4c1kAdqEphN31Z3AXorCZwx/TrQ7kV6tNWQ6QjLcxFqHCXAXy3Dt675XDvLqAdriqeg9"
    "Ui5q+hR9ExKcY9y5lD34tYO/Ef9sz4+goGHtC7gnU0UmwV0PfOL87e944vftHDjaX8yzf4"
    "HffOdI9Z+MezXOtWXkzzi6Bfz3tvkf6Jfr+6PDPwcqmGwoyY0PV+b+l7woHiDuNTB3spHR"
    "y3xqhlpO5jqRxjcTSVepbzHqQe3a4tQn8kQo4xWZCyNsMGNymbQTf0sXszBSPTWejhXV5G"
    "u9g17o7zLZjhoRGSRlPfZ2SQv8bUnx27it5SNSuy2LMElXa7p0kdnKa903wHA5NoCvgp0Q"
    "S07ofeKVi8M7SliFRgPgtFXTrBIPVnyFi8BOxg3bzdRgNQ0drI5rdEaKX9TCKww4XqLBjw"
    "qxvmGwxuGL/J+hmR22sRtv4L/z2/uHj++jXaAoC3l1o5d+qsnDvlK+fO9h0m+ZhICS+DbO"
    "DtpFnu9nnua8ncsdrnSQDVr5CzBKoLfBtoNbSWrAxvfD69JrdUhhAsLAyZ/sp1YQCUjkiT"
    "3rUslONdoG4/mgH0deUIg5/S+ryJeDxgxCMWRt1lLaa32fm2JtYRzfAG8CYcG4DrAMwD4R"
    "aENX56f3VZAvCcI+9kUVeh/yGfypUtYw/jX2ksMq5VDOjWxfFveaxP312d5H0mfYGTHPAD"
    "KsAakIQ09nSznJv4hi2ub1l8wxL7JuUSFpk36e5K64bmCO/VtslZMh9bKU/VCS0S+BeoEi"
    "PoBujDFkFcQm/DyN/nRkbQCR1+L3bQP7vdvb2X3Z29w1cH+y9fHrzamRtEi11VltHJ+Y/a"
    "OMq8SRtr6UEX87TPUTtLkeLZgFwDZAYq0emTAReNskE5tqWgtiwknQtk7dWKZO1VhLL2dg"
    "rBxgMVJrUaYT3n2kBdC2qzjjYAOaZ/gkpjr1sD3r1uKbq6KwsuZZNAOU0hznKtMY/cMIO8"
    "7DS+96RxCJgiXwqSxj1orYI55rJYXbSmuurKhYdFlLXDEiudrAH/hGDhjurlH6rcqbPfet"
    "We7tybend1+WNMnnd/i4QyJh7FzSf/nM1isVgz/XmgALMmwZyEY/3BnNa/BgEzfiTqB9RX"
    "lMmOHu/fDbVP+FZMCVOIh89iX7SnHygFd9BENCmWRywbnUeOngTJEZ/WrC5at3wkviUFS3"
    "NFFDRmsEM2etimsrE2NJqO4yyIpDo2mmN9gsHRRxIMLa0DygpaTjjAuJyks7wbUVst6mCi"
    "BeE0Db5m2JYql7DNBFxjFDZdMp6PotcXwSLv+spWnoQgFvI/hXJZFMobLggdsp/JzAjmHG"
    "4fs8LMa5TC+SV7tUcmkK/xxItbk5dX4Ok8kVMwHwEJeH6iDBbXoKquz08B+IdJs/3E+9dB"
    "YYYt6mlXJdf+5H1HBPUSa60rRhAQIz5AGEl3RLzAJ2ZzFNrSSx54Q7KN9GMFkzZyCeA2oC"
    "7MCGjtdDrbR8h4TqbUc6KnChdIkrA0LVNNuqqBPjGwYV+YTQcv9JauF2ZzF4W2MYHBXVmz"
    "4vSjxk2Twhsi1CYB+NAar12RAIwkVTcKFJHbHGRu1XgF6nm9q45Cp16PhtZ2lnNja1ttaw"
    "8oo3K0lJxzrJttNDbLGXSOy5tttU2xrDGdBLYD00JpqFcjtjbiN20Elln4Y4CpT5baFXr/"
    "AXePKLibJrmmhMPedB4Y1AT5lJHIbptiiTzdBmZbEmufCh6J1LqM04jLAs1X/lbE9BaLRN"
    "/i0YR6YESDAARmiNZMdayiHsaSksZL+N81we6oVeBuJZ2VHpepFRFzujudrh44MfPDMZ5J"
    "NAAlRXwkg/EYi9kROEgpB1X362pdhIWgt9hH+tAMpIcMfam4ui3jbd37CJ9YXOQFqlS7cn"
    "yK9AOjLZgV8Jp3JDhkgHBnPmonGgzdEDKRMNXQQPCxceBS5Z/gvzGzcxzmpJ6PEgEPqGp9"
    "WocZGG50SFB0bgcwSzN2eIQHI7fAKV3MZOaapcd6FNWCxvili9j0sy9siflYQZouJjUt7X"
    "Cr1saFtNSF3EQzLQkrb4p5N8W8jxvkWN83qSzdgFsT3HCj0jJBiIRvE2qyOgRh7KTFBZhz"
    "n2BWLN2YJSfZPvCsSpjzlibHTyEtNngO7fVKOg58k7bIZey+SdonV1fvMoI+Oc87tx8uTs"
    "6ut3aNhIGIqqq84sM4YemsY4EblktKljtiOWRXvK8sY/AbF8AcIGR2VW7sfkvt/viUyCYr"
    "dobJ4rNk3l4cnz5///a4e3CoPXftautzEdFyB+Dd/2Lugo/PSEGssxz6FMsaI2uK+GQo8L"
    "hhhM2aIm59sqoDenBUtOepPLCcY7O4XN7UBJvzY6nXRm+IYEQ9J8wVs4mqG9hfd0TZx2wY"
    "wPrXZPqneSwWhzUT3/5owpr2RX3PsYRHC/FaIwlWa4ZVnHisCg46Lt+cEdPbsTdjmX0z1u"
    "7NuMWCaoAabWXKMNkhlCe1YQZPMVVRgUVd/ZPmeXo66P6tE6L3mjQMdc157I513ce8/sZY"
    "VmY26wN1C9bSSqgTpjViHfv9DXwfcxE0HVGfJD5+3+fujcmQoz5/8LhiWhZaSTgBU0VFTt"
    "VB/CznoykkbE1HhBlJRPrR1FI8A+GERb662mKxQv7pB/o3x/GXrzxP67i6heP4lzmjMMP4"
    "aF7+7zKFd0tEcWigNKuR4rD2BOsWh7/G4FRQVyfy3EAIwtzZEfrHrjkP3+zfR+SW1M3jrf"
    "mk6/TxKUlxXIFRFHG/+fma+FgVi6X4iMdHpmbL9gd+XWlyU3CXSEm8D2YjcqsowZkjaVcm"
    "OWNiJ0ioV5npLE1lPtiG7E1msyCzOZ8Wze2rPO/GwrJl+bX8QOD3YY33BRY3RXot3V2p06"
    "JacWccU95ZQ/+WT6FLoK3U2oaot613F0eF5yMskZb64qdtmjJ/g45s+iHDJ/sRw/vailqu"
    "AY3D0HQxSjFZa4hauBJZon+OiaDFW3einkqtgxOaB7GfNt9SWcG3VEp90XKdW+6MPoWi7O"
    "7BQQ3NC1QVHzI9yKcy9EvVAOGI/Amiu7tT7+NrVV9fWzhHGUZUpOg8n/L8aIpl802VhnnQ"
    "B13Mvv4f0pk4NQ=="
)
