#include "http/compression.hpp"

#include <brotli/encode.h>
#include <zlib.h>

#include <algorithm>
#include <climits>
#include <memory>

namespace carnet::http {

namespace {

std::string media_type_lower(std::string_view content_type) {
    std::string_view type = content_type.substr(0, content_type.find(';'));
    while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
    while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.remove_prefix(1);
    std::string lower(type);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](char c) {
        return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    });
    return lower;
}

struct DeflateStream {
    z_stream stream{};
    bool initialised = false;
    ~DeflateStream() {
        if (initialised) deflateEnd(&stream);
    }
};

}  // namespace

bool is_compressible_type(std::string_view content_type) {
    std::string type = media_type_lower(content_type);
    if (type.starts_with("text/")) return true;
    if (type == "application/xml" || type == "application/json" ||
        type == "application/javascript" || type == "image/svg+xml") {
        return true;
    }
    return type.starts_with("application/") && (type.ends_with("+xml") || type.ends_with("+json"));
}

std::optional<std::string> gzip_compress(std::string_view data, int level) {
    if (data.size() > UINT_MAX) return std::nullopt;
    DeflateStream state;
    // 15 + 16: the largest window, wrapped as gzip rather than zlib.
    if (deflateInit2(&state.stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        return std::nullopt;
    }
    state.initialised = true;
    std::string out(deflateBound(&state.stream, static_cast<uLong>(data.size())), '\0');
    // zlib's API is not const-correct; it does not write through next_in.
    state.stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    state.stream.avail_in = static_cast<uInt>(data.size());
    state.stream.next_out = reinterpret_cast<Bytef*>(out.data());
    state.stream.avail_out = static_cast<uInt>(out.size());
    if (deflate(&state.stream, Z_FINISH) != Z_STREAM_END) return std::nullopt;
    out.resize(state.stream.total_out);
    return out;
}

std::optional<std::string> brotli_compress(std::string_view data, int quality) {
    std::string out(BrotliEncoderMaxCompressedSize(data.size()), '\0');
    if (out.empty()) return std::nullopt;
    std::size_t size = out.size();
    if (!BrotliEncoderCompress(quality, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_TEXT, data.size(),
                               reinterpret_cast<const std::uint8_t*>(data.data()), &size,
                               reinterpret_cast<std::uint8_t*>(out.data()))) {
        return std::nullopt;
    }
    out.resize(size);
    return out;
}

}  // namespace carnet::http
