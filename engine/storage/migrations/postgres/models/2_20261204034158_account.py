from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "account" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "username" VARCHAR(64) NOT NULL UNIQUE,
    "password_hash" VARCHAR(256) NOT NULL,
    "role" VARCHAR(16) NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "last_login" TIMESTAMPTZ
);
COMMENT ON COLUMN "account"."password_hash" IS 'argon2id';
COMMENT ON COLUMN "account"."role" IS 'viewer or admin';
COMMENT ON TABLE "account" IS 'A dashboard login: made with `clixchat admin create`; the password kept as an argon2';"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP TABLE IF EXISTS "account";"""


MODELS_STATE = (
    "eJztXG1z47YR/isYfqlvqvPZ8tvV7XRGdu2ck7OV8SltJpcMA5GQiJgCGAC0zpP6v3cBku"
    "KLSIVUJZny6YvHAnYJ8Flg8QC7xB/WhLvEl/s9x+EhU9Y5+sNieELgn2JVB1k4CNIKXaDw"
    "0DeyOCM0lEpgRz9rhH1JoMgl0hE0UJQzLdxDLpbekGPhIp+PKTtHE+wSNKXKQ786Pv3ieF"
    "gh7E4oQ44gWJFf/46UR1CApZxyUHsgAQhIhBnCYsxZV7fscgeapmy8rkZ+Zh48E3HmP+2j"
    "e+4TeY4eKZkSgfYCSUKXs6cJDyU0rfAb0HPj5+8BEBzFIElT8Rsfyjf7utsho7+HxFZ8TK"
    "B5AZ3//AsUU+aSL0QmP4MHe0SJ7+ZMRF39AFNuq6fAlN0wdW0ENSJD2+F+OGGpcPCkPM5m"
    "0jQy2pgwIgAC/XglQm00Fvp+bN7EjlFPU5Goixkdl4xw6GvTa+2oA2mZZdt3/YH96Wpg29"
    "bcsEg0MkaMixzO9JCCrkrz9mPdhbfdw+Oz4/dHp8fvQcR0c1Zy9hw1nQITKRp47gbWs6kH"
    "G0USBuMU1FASYf6fg/bSw6Ic26xOAWHoehHhBM/2QjzBX2yfsLHy4Ofp8QI8/927v/zQu9"
    "87PX6jG+Qw9SOXcBfXdE2VhjyFOJlitp5PTXCeU1wN2ElBinbqupaH24q8RjTvmoLePTmt"
    "gTpIVcJu6vK4C/BZTeBO5DeHshX5U6sh0rEX5iJyuMsAflgH78NquA/n0I5WFdfGah7zf0"
    "GNohNSjntes4C+G6vuJ/+0Z8TXdzDwgm4f1tHYsS2AfnBze/Vp0Lv9Xjc3kfJ33+DXG1zp"
    "GrPwT54KpXtFM80egv5zM/iA9E/0U//uysDLpRoL02IqN/jJ0n3CoeI241MbuxkfnJQmqO"
    "Ws7mOpbMM4mlo9r7kCq8fdbYvRt8TICSZzVtY0bPSQ4Qy6YIidhymQTHuuhnd5lex81aQ7"
    "KZZghsfGSBpN3c+YkF/7fHpPHqmM4J8j7Ln6hax9BJK2yIr+GXevtnUJi/1sGtDPlR6G1c"
    "j6ZcdrX5DXJsaou/gn8m2mWK1htPEIbwBvqrEDuA7APBROCXn99lP/rgLgmUZxKaWOQv9F"
    "PpVzPmILgF4ArMYit4AmgO7d9n4sYn35sX9RXBn1Ay4KwI+oAFoiCWnMZ/KaOxbbFoJTxW"
    "Jbwm9goSeahFTQm2z1QnZDC4Ir5TYFJvPZCrBQ1KEBZsqOGAn8BamUBD2AfESBanOeCzr+"
    "WmjP37rdo6Oz7sHR6fuT47Ozk/cHM/4zX7WICF3cfKO5UG7i7MjRi67d2S1G7aOnjM4O5B"
    "ogM/CA9pCMuGh0xFdQWwrqlp0zFM71jg7qHOwdHVSf7Om6ErDxSEUnlY2wnmntoK4FtVk2"
    "G4CcyL9Cp3HUrQHvUbcSXV2VB5eyIFR2U4jzWhsMDjQMCyw7jFceCYgAU+RLSSRgAKWLYE"
    "60WuwurKkOpTvwsoiyThQ3hwUFwXaEYOF49cIxi3ZPVz8OFm9sZ5unj/27bxLx4m63zCgT"
    "4lLcfPDP1FpsltYMfx4qwKzJ2U2qsfmzG+sfo5CZbSMahtRXlMl93d4/mwYlzayYEqYQj9"
    "6lfYc7w1Ap6EET02RUttg2OtEnfhMkPT6tGTLetH0kfiQlS/OCQ89EoR220c02tU1rT0IF"
    "cQh9XCqgX1B9hWehW3L2WRnczRtaBhxgXM7Sed2dqVtt6jDQhrCbHr7m1P78DHYLKOAGT2"
    "GzeYDFQ/P6JpjXXcoObZtcmzPEXLin1C7zRrnmgtAx+448GcPcQPcxKw20xhGb7/NP2zKD"
    "PCcDLylNJ6/A01kgp2Q8AhLw/kQZLO7BVd3fXALwLxNV+5YP78PSgFpc01kUS/uND20R1o"
    "ujWX1GEAgjPkIYSccjbugTk/GO9vSSB7sh2UH6tcKggxwCuI2oAyMCSvf399+cI7Nz0hSd"
    "B3qocIEkIbJI0dfW0M8MOOw7k0n6TufpvzMZ+xTKJgQad2TNvP3PGjctCjNExPmcuwBgOw"
    "OAsaXqngLF4m0+ZLZqTIF6u951n0JnpkdDtp3X3HHtVnPtEWVUekvZuaC6y41us53B5zi8"
    "2fdTGZUNhpOAOzBtlIZ+NVbrIP7QQcDMoh8jTH2y1Kc+qz9wd4mC3jSJNaUa7Q3nAaEmyK"
    "eMxLxtiiVydRnQtvSsfSp4bNLWRZw8Lks8X/WsSORbbBLdxfOAukCiwQACM0RrhjrWkQ/T"
    "kgzG7Ia3ZMNV2A9X77oK2/A1ZzAmKW06S2W3TWnpNmX2mXkTP5JTau/nydaH297l208fet"
    "2TU72n1/ty/WE1Wu4L2tWn2DkeZoyUrKvV0GdUNujFFfHJWODJuiJva/9yFhYTGxyfV5Zf"
    "V01iCmotTs0w8WdzAQV1O+iaCEbUW8Ic8RSouiRy0+zFx2wcwoLXZPhndVpsjtYM/PanoW"
    "8oB+9rTkLfWogNc2wAbyL/+jzDOq5MUSU3pVQnAiXy7cgDWiZHq7V5QI9YUA1Qo7S5nFI7"
    "jPKqkrPwFFMVH+bV9T9Zndfng1bPTojOayrZ/XPuE8zKMZ7pFAAegtK6BvusZLPj+qLf/5"
    "gb1xc3RVr9w+3FFYBuMAchqnLb/sxohqn6WLKWLoQ6Vdog1sm+v8HexzwETT3qk3SPP/S5"
    "8yDN7yH//7OlV2gL7STskKmyA/XFUau85tYEraypR5ixROwfkSZqfwHjRAFlNKJiPhvj9c"
    "e1dvd5Va88r+smhLn7vJa5/iKnuDWT/6uMWD8SUX40UBnVyGhsLu30oKEf5/DfBDYV1EFg"
    "PCcUgjDn6Rz99RAFsOSab0UQeSSsbshuBTdUNQjRZT/Vm13lUbLpuoi1r7+7Jz5W5WYpvz"
    "1ky9xsVS7q81qjmYI7REri/mCS3q2yiGZBpLMwqpkI22Eqvc7QZmUo88WS/3eRzZLI5mxY"
    "NOdXRd0dw2rL8tvyu6Z6RFDHK3Npcc1CT4ZTmRfxX7trMtdwTWYlF6w+R6wmg61KCF/yHL"
    "F7clLjIBGkFtxEflI8StSTqgHCsfgrRPfwoNadOQcL7sw5mLszB1pUpOzbrer4REZld11m"
    "wzjEiy5mz/8DsxlyTw=="
)
