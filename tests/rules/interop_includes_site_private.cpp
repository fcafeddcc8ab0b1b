// Must not compile: another module's private header is out of reach, even for a module that
// may use that module's public header (interop may use site).
#include "site/feeds.hpp"
