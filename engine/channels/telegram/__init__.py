"""The Telegram adapter: Bot API updates in, Bot API sends out. The engine core never imports it."""
