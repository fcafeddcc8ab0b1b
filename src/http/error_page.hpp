// The short pages the server and the router answer with on their own.
#pragma once

#include "http/http.hpp"

namespace carnet::http {

// A minimal HTML page for `status` (400, 404, 405, 413, 431, 500, ...), not cacheable. The
// themed pages are the handlers' business; these only say what happened, never why.
Response error_page(int status);

}  // namespace carnet::http
