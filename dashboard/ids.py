"""Component ids of the app shell. Each page keeps its own ids in a
class at the top of its module, prefixed with the page name."""

URL = "url"
NAV = "nav"
LANG_SWITCH = "lang-switch"
LANG_STORE = "lang-store"
BANNER = "sample-banner"
PAGE = "page-content"
STORE_BANNER = "store-banner"
SNAPSHOT_OFF = "snapshot-off"
LANG_DE = "lang-de"
LANG_EN = "lang-en"
BRAND_SUB = "brand-sub"
#: Dash pages' own location (refresh="callback-nav"): writing its search
#: pushes a history entry, tells the other locations and re-renders the page.
PAGES_LOCATION = "_pages_location"
#: The table of tab titles per page and language, and the clientside callback's dummy output.
TITLES = "tab-titles"
TITLE_SINK = "tab-title-sink"
USER_BOX = "user-box"
LOGOUT = "logout-button"
LOCAL_ADMIN_BANNER = "local-admin-banner"
