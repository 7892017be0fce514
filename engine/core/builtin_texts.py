"""What the engine itself says, in each language it knows (flows may override via `labels`)."""

from __future__ import annotations

from engine.core.text import Text, localize

LANGUAGE_NAMES: dict[str, str] = {
    "en": "English",
    "hi": "हिन्दी",
    "mr": "मराठी",
    "bn": "বাংলা",
    "te": "తెలుగు",
    "ta": "தமிழ்",
    "gu": "ગુજરાતી",
    "kn": "ಕನ್ನಡ",
    "ml": "മലയാളം",
    "pa": "ਪੰਜਾਬੀ",
    "or": "ଓଡ଼ିଆ",
    "ur": "اردو",
    "as": "অসমীয়া",
}

BUILTIN: dict[str, dict[str, str]] = {
    "back": {"en": "Back", "hi": "वापस"},
    "restart": {"en": "Restart", "hi": "फिर से शुरू"},
    "yes": {"en": "Yes", "hi": "हाँ"},
    "no": {"en": "No", "hi": "नहीं"},
    "share_location": {"en": "Share my location", "hi": "मेरा स्थान भेजें"},
    "language": {"en": "Choose your language:", "hi": "अपनी भाषा चुनिए:"},
    "language_set": {"en": "Language set to English.", "hi": "भाषा हिन्दी कर दी गई है।"},
    "invalid_choice": {
        "en": "Please choose one of the buttons below, or send its number.",
        "hi": "कृपया नीचे दिए गए बटनों में से एक चुनिए, या उसका नंबर भेजिए।",
    },
    "unexpected_media": {
        "en": "Thank you! I can only read text here. Please answer with the buttons or a message.",
        "hi": "धन्यवाद! यहाँ मैं केवल लिखा हुआ संदेश पढ़ सकता हूँ। कृपया बटन या संदेश से जवाब दें।",
    },
    "nothing_to_go_back": {
        "en": "You are at the beginning; there is nothing to go back to.",
        "hi": "आप शुरुआत में हैं; पीछे जाने के लिए कुछ नहीं है।",
    },
    "unknown_command": {
        "en": "I don't know that command. Send /start to begin again.",
        "hi": "मैं यह कमांड नहीं जानता। फिर से शुरू करने के लिए /start भेजें।",
    },
    "welcome_back": {"en": "Welcome back!", "hi": "फिर से स्वागत है!"},
    "conversation_ended": {
        "en": "This conversation has ended. Tap Restart to begin again.",
        "hi": "यह बातचीत समाप्त हो गई है। फिर से शुरू करने के लिए 'फिर से शुरू' दबाइए।",
    },
    "menu_changed": {
        "en": "This menu has changed since your last message. Here is where you are now.",
        "hi": "आपके पिछले संदेश के बाद यह मेन्यू बदल गया है। आप अभी यहाँ हैं।",
    },
    "stale_button": {
        "en": "That menu is no longer active; here is where you are now.",
        "hi": "वह मेन्यू अब सक्रिय नहीं है; आप अभी यहाँ हैं।",
    },
    "loop": {
        "en": "Sorry, something went wrong in this conversation. Send /start to begin again.",
        "hi": "क्षमा करें, इस बातचीत में कुछ गड़बड़ हुई। फिर से शुरू करने के लिए /start भेजें।",
    },
    "retry_text": {"en": "Please answer with a text message.", "hi": "कृपया लिखकर जवाब दें।"},
    "retry_too_long": {
        "en": "That is too long; please send a shorter answer.",
        "hi": "यह बहुत लंबा है; कृपया छोटा जवाब भेजें।",
    },
    "retry_number": {
        "en": "Please send a number, for example 5.",
        "hi": "कृपया एक संख्या भेजें, जैसे 5।",
    },
    "retry_integer": {
        "en": "Please send a whole number, for example 5.",
        "hi": "कृपया एक पूर्ण संख्या भेजें, जैसे 5।",
    },
    "retry_range": {
        "en": "That number is outside the expected range; please try again.",
        "hi": "यह संख्या अपेक्षित सीमा से बाहर है; कृपया फिर से कोशिश करें।",
    },
    "retry_pattern": {
        "en": "That does not look right; please check and send it again.",
        "hi": "यह सही नहीं लग रहा; कृपया जाँचकर फिर से भेजें।",
    },
    "retry_yes_no": {"en": "Please answer Yes or No.", "hi": "कृपया हाँ या नहीं में जवाब दें।"},
    "retry_date": {
        "en": "Please send a date like 25/12/2026.",
        "hi": "कृपया तारीख इस तरह भेजें: 25/12/2026।",
    },
    "retry_date_range": {
        "en": "That date is outside the expected range; please try again.",
        "hi": "यह तारीख अपेक्षित सीमा से बाहर है; कृपया फिर से कोशिश करें।",
    },
    "retry_location": {
        "en": "Please share your location with the button below.",
        "hi": "कृपया नीचे दिए बटन से अपना स्थान भेजें।",
    },
    "retry_photo": {"en": "Please send a photo.", "hi": "कृपया एक फ़ोटो भेजें।"},
}


def builtin(key: str, language: str, override: Text | None = None) -> str:
    """A built-in text in the user's language (English when the language is unknown)."""
    if override is not None:
        return localize(override, language, ("en",))
    return localize(BUILTIN[key], language, ("en",))
