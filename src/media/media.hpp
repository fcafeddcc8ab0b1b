// Uploaded images: what they are (decided from their bytes, then proven by decoding them with
// libvips), where they are kept (a directory of files named by a hash of their content),
// the smaller copies pages link to, the <img> element that shows them, and the checks the
// route that serves /media/<name> needs.
//
// Privacy: an upload is kept byte for byte as the writer sent it (a lossless archive, which
// export and backup hand back), and a photo's EXIF can hold where it was taken. So pages never
// link to those bytes: for JPEG, PNG and WebP, store() also writes copies without metadata,
// one of them at full size, and img_html() links only to those.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/model.hpp"

namespace carnet::media {

enum class ImageType { jpeg, png, webp, gif };

std::string_view extension(ImageType type);     // "jpg", "png", "webp", "gif"
std::string_view content_type(ImageType type);  // "image/jpeg", ...

// What an upload may be. The defaults suit a blog: a phone photo is 3 to 12 MB and 12 to 50
// megapixels at most; `max_pixels` is what stops a small file that declares huge dimensions
// (a decompression bomb) before any pixel is decoded.
struct Limits {
    std::size_t max_bytes = 20 * 1024 * 1024;
    std::uint64_t max_pixels = 40'000'000;  // width x height x frames
    // Widths of the reduced copies; only those smaller than the image are made.
    std::vector<int> variant_widths{480, 960, 1600};
};

// An image proven to decode: its type from its magic bytes and its size as shown, that is
// after its EXIF orientation (a portrait photo stored sideways is reported upright).
struct ImageInfo {
    ImageType type = ImageType::jpeg;
    int width = 0;
    int height = 0;
    bool animated = false;  // a GIF or WebP of more than one frame
};

// A copy of a stored image, without metadata: `<hash>-<width>.<ext>`.
struct Variant {
    int width = 0;
    int height = 0;
    std::string file_name;
};

// A stored image, as the caller records it (table `media`: content_hash = hash,
// stored_path = file_name, relative to the media directory).
struct StoredImage {
    std::string hash;  // BLAKE2b-256 of the uploaded bytes, 64 lower-case hex digits
    ImageType type = ImageType::jpeg;
    std::string content_type;
    std::uint64_t size_bytes = 0;  // of the original
    int width = 0;
    int height = 0;
    std::string file_name;          // the original: `<hash>.<ext>`
    std::vector<Variant> variants;  // by increasing width; the last is full size, if any
};

// The type an upload's first bytes announce, whatever its name or declared type says.
// Nothing for anything else (SVG, HTML, PDF, ...). Proves nothing about the rest of the bytes.
std::optional<ImageType> detect_type(std::string_view bytes);

// Proves that `bytes` are one whole image of an accepted type within `limits`: checks the
// magic bytes, the size, the dimensions the header declares, then decodes every pixel with
// the loader of that type only (a truncated or corrupt file fails). invalid_input with a
// message for the writer otherwise. Costs a full decode.
[[nodiscard]] model::Result<ImageInfo> inspect(std::string_view bytes, const Limits& limits = {});

// The hash store() names files after: BLAKE2b-256, lower-case hex.
std::string content_hash(std::string_view bytes);

// inspect(), then writes the original and its variants into `media_dir` (which must exist),
// each atomically (a temporary file in the same directory, then a rename), so a reader never
// sees half a file. Storing the same bytes again rewrites nothing and returns the same value.
// Variants: for JPEG, PNG and WebP, one per width of `limits.variant_widths` smaller than the
// image, and one at full size, same format, sRGB, upright, no metadata (an animated WebP
// keeps its frames). None for GIF: re-quantizing palettes loses quality, a still copy would
// drop the animation, and GIF carries no EXIF.
// invalid_input for a refused upload, io when the directory cannot be written.
[[nodiscard]] model::Result<StoredImage> store(const std::filesystem::path& media_dir,
                                               std::string_view bytes, const Limits& limits = {});

// The StoredImage that store() returned for the original `file_name` (`<hash>.<ext>`) of this
// size, rebuilt from what the database keeps: variants follow from the dimensions alone.
// Give the `variant_widths` that store() was given. invalid_input for a malformed name.
[[nodiscard]] model::Result<StoredImage> describe(
    std::string_view file_name, std::uint64_t size_bytes, int width, int height,
    const std::vector<int>& variant_widths = Limits{}.variant_widths);

// An <img> element for a stored image: src (the full-size variant), srcset (every variant
// with its width), `sizes`, width and height (so the page does not jump when it loads), alt
// (escaped), loading="lazy", decoding="async". URLs are "/media/<file>". An image without
// variants (GIF) links to its original.
std::string img_html(const StoredImage& image, std::string_view alt,
                     std::string_view sizes = "(max-width: 960px) 100vw, 960px");

// A post's text rendered as its public page shows it (markup::render_post_body), with each
// <img src="/media/<name>"> that `find` knows as a stored image of the blog replaced by
// img_html() of it (its variants, srcset, dimensions), keeping its alt text.
std::string render_post_html(
    model::SourceFormat format, std::string_view source,
    const std::function<std::optional<StoredImage>(std::string_view file_name)>& find);

// A name that may be asked for under /media/: exactly `<64 lower-case hex>.<ext>` or
// `<64 hex>-<width>.<ext>`, nothing else (no directories, no dots of its own).
struct MediaFile {
    std::string hash;
    ImageType type = ImageType::jpeg;
    std::optional<int> width;  // set for a variant
};
std::optional<MediaFile> parse_file_name(std::string_view name);

// The bytes of `name` in `media_dir`. invalid_input for a name parse_file_name() refuses (so
// no path can leave the directory), not_found when there is no such file, io otherwise.
// Originals of JPEG, PNG and WebP hold the uploader's metadata: a public route should serve
// variants and GIF originals, and other originals to the blog's writers only.
[[nodiscard]] model::Result<std::string> read_file(const std::filesystem::path& media_dir,
                                                   std::string_view name);

}  // namespace carnet::media
