// Decoders for the tests: what the server compresses must come back as the identity body.
// Only the tests include this header; the server itself never decodes.
#pragma once

#include <brotli/decode.h>
#include <zlib.h>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace carnet::http::testing {

inline std::optional<std::string> gunzip(std::string_view data) {
    z_stream stream{};
    // 15 + 16: accept a gzip wrapper only, so a zlib or raw stream would fail the test.
    if (inflateInit2(&stream, 15 + 16) != Z_OK) return std::nullopt;
    std::unique_ptr<z_stream, decltype(&inflateEnd)> guard(&stream, &inflateEnd);
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    stream.avail_in = static_cast<uInt>(data.size());
    std::string out;
    std::array<char, 16384> chunk{};
    int result = Z_OK;
    while (result != Z_STREAM_END) {
        stream.next_out = reinterpret_cast<Bytef*>(chunk.data());
        stream.avail_out = static_cast<uInt>(chunk.size());
        result = inflate(&stream, Z_NO_FLUSH);
        if (result != Z_OK && result != Z_STREAM_END) return std::nullopt;
        out.append(chunk.data(), chunk.size() - stream.avail_out);
        if (result == Z_OK && stream.avail_in == 0 && stream.avail_out != 0) return std::nullopt;
    }
    if (stream.avail_in != 0) return std::nullopt;  // trailing garbage
    return out;
}

inline std::optional<std::string> unbrotli(std::string_view data) {
    std::unique_ptr<BrotliDecoderState, decltype(&BrotliDecoderDestroyInstance)> decoder(
        BrotliDecoderCreateInstance(nullptr, nullptr, nullptr), &BrotliDecoderDestroyInstance);
    if (!decoder) return std::nullopt;
    const auto* next_in = reinterpret_cast<const std::uint8_t*>(data.data());
    std::size_t available_in = data.size();
    std::string out;
    std::array<std::uint8_t, 16384> chunk{};
    for (;;) {
        std::uint8_t* next_out = chunk.data();
        std::size_t available_out = chunk.size();
        BrotliDecoderResult result = BrotliDecoderDecompressStream(
            decoder.get(), &available_in, &next_in, &available_out, &next_out, nullptr);
        out.append(reinterpret_cast<const char*>(chunk.data()), chunk.size() - available_out);
        if (result == BROTLI_DECODER_RESULT_SUCCESS) {
            return available_in == 0 ? std::optional<std::string>(out) : std::nullopt;
        }
        if (result != BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT) return std::nullopt;
    }
}

}  // namespace carnet::http::testing
