// The content codings the page cache stores: gzip (zlib) and brotli.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace carnet::http {

// True for the media types worth compressing: text/*, JSON and XML (with their +json and
// +xml variants: Atom, RSS, JSON Feed). `content_type` may carry parameters.
bool is_compressible_type(std::string_view content_type);

// A gzip member (RFC 1952) holding `data`, or nothing if zlib fails.
std::optional<std::string> gzip_compress(std::string_view data, int level = 6);

// A brotli stream (RFC 7932) holding `data`, or nothing if the encoder fails.
std::optional<std::string> brotli_compress(std::string_view data, int quality = 5);

}  // namespace carnet::http
