// Must not compile: the http server is generic and knows no blog (DESIGN.md).
#include "model/model.hpp"
