#include "media/media.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vips/vips.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <mutex>
#include <utility>

#include "markup/markup.hpp"
#include "text/file_descriptor.hpp"
#include "text/text.hpp"

namespace carnet::media {
namespace {

using model::Error;
using model::fail;

struct ImageUnref {
    void operator()(VipsImage* image) const { g_object_unref(image); }
};
using ImagePtr = std::unique_ptr<VipsImage, ImageUnref>;

struct GFree {
    void operator()(void* memory) const { g_free(memory); }
};
using GBuffer = std::unique_ptr<void, GFree>;

// The one libvips start-up of the process. libvips is global by nature: these settings are
// made once, before any image is touched, and never changed.
bool vips_ready() {
    static std::once_flag once;
    static bool ready = false;
    std::call_once(once, [] {
        if (VIPS_INIT("carnet") != 0) return;
        // The server already runs one request per core; a pool of libvips workers per
        // upload would only fight those threads.
        vips_concurrency_set(1);
        // The operation cache exists to reuse results across calls on the same image; an
        // upload is seen once, and cached operations would pin its buffer in memory.
        vips_cache_set_max(0);
        vips_cache_set_max_mem(0);
        vips_cache_set_max_files(0);
        // Decoders are attack surface. libvips also loads SVG, PDF, TIFF and, through its
        // modules, ImageMagick: only the four loaders of the accepted types may ever run,
        // even where libvips picks a loader itself (vips_thumbnail_buffer).
        vips_block_untrusted_set(TRUE);
        vips_operation_block_set("VipsForeignLoad", TRUE);
        for (const char* allowed : {"VipsForeignLoadJpeg", "VipsForeignLoadPng",
                                    "VipsForeignLoadWebp", "VipsForeignLoadNsgif"}) {
            vips_operation_block_set(allowed, FALSE);
        }
        ready = true;
    });
    return ready;
}

// libvips reports errors in a process-wide buffer; take (and clear) its text, first line only:
// enough to tell a writer what is wrong with a file.
std::string vips_error_text() {
    std::unique_ptr<char, GFree> text(vips_error_buffer_copy());
    std::string_view message = text ? std::string_view(text.get()) : std::string_view();
    message = message.substr(0, message.find('\n'));
    return std::string(message.empty() ? "unknown libvips error" : message);
}

std::string_view type_name(ImageType type) {
    switch (type) {
        case ImageType::jpeg:
            return "JPEG";
        case ImageType::png:
            return "PNG";
        case ImageType::webp:
            return "WebP";
        case ImageType::gif:
            return "GIF";
    }
    return "image";
}

// The loader of `type` and no other, failing on any decoding error (fail_on=error implies
// truncated). Sequential access: the pixels are read once, top to bottom, so libvips need
// not keep the decoded image in memory. All frames of an animation, so all are proved.
// The image refers to `bytes` without copying them: they must outlive it.
ImagePtr load(ImageType type, std::string_view bytes) {
    void* data = const_cast<char*>(bytes.data());  // libvips only reads it
    VipsImage* out = nullptr;
    int status = -1;
    switch (type) {
        case ImageType::jpeg:
            status = vips_jpegload_buffer(data, bytes.size(), &out, "fail_on", VIPS_FAIL_ON_ERROR,
                                          "access", VIPS_ACCESS_SEQUENTIAL, nullptr);
            break;
        case ImageType::png:
            status = vips_pngload_buffer(data, bytes.size(), &out, "fail_on", VIPS_FAIL_ON_ERROR,
                                         "access", VIPS_ACCESS_SEQUENTIAL, nullptr);
            break;
        case ImageType::webp:
            status = vips_webpload_buffer(data, bytes.size(), &out, "fail_on", VIPS_FAIL_ON_ERROR,
                                          "access", VIPS_ACCESS_SEQUENTIAL, "n", -1, nullptr);
            break;
        case ImageType::gif:
            status = vips_gifload_buffer(data, bytes.size(), &out, "fail_on", VIPS_FAIL_ON_ERROR,
                                         "access", VIPS_ACCESS_SEQUENTIAL, "n", -1, nullptr);
            break;
    }
    if (status != 0) {
        if (out) g_object_unref(out);
        return nullptr;
    }
    return ImagePtr(out);
}

int scaled_height(int width, int height, int new_width) {
    const auto scaled = (std::int64_t{height} * new_width * 2 + width) / (std::int64_t{width} * 2);
    return static_cast<int>(std::max<std::int64_t>(scaled, 1));
}

std::vector<Variant> plan_variants(std::string_view hash, ImageType type, int width, int height,
                                   const std::vector<int>& variant_widths) {
    std::vector<Variant> variants;
    if (type == ImageType::gif || width <= 0 || height <= 0) return variants;
    std::vector<int> widths;
    for (int candidate : variant_widths) {
        if (candidate > 0 && candidate < width) widths.push_back(candidate);
    }
    std::sort(widths.begin(), widths.end());
    widths.erase(std::unique(widths.begin(), widths.end()), widths.end());
    widths.push_back(width);  // the full-size copy without metadata
    for (int variant_width : widths) {
        variants.push_back(Variant{
            .width = variant_width,
            .height = scaled_height(width, height, variant_width),
            .file_name = fmt::format("{}-{}.{}", hash, variant_width, extension(type)),
        });
    }
    return variants;
}

std::unexpected<Error> io_error(std::string_view what, const std::filesystem::path& path) {
    return fail(Error::Code::io,
                fmt::format("{} {}: {}", what, path.string(), std::strerror(errno)));
}

// Writes `name` in `dir` so that nobody ever sees it half-written: a temporary file in the
// same directory (the same file system, so rename is atomic), flushed to disk, then renamed.
model::Status write_atomically(const std::filesystem::path& dir, const std::string& name,
                               const void* data, std::size_t size) {
    const auto final_path = dir / name;
    // A leading dot keeps the temporary file out of parse_file_name's reach: never served.
    std::string temp_path = (dir / ("." + name + ".XXXXXX")).string();
    FileDescriptor file(::mkstemp(temp_path.data()));
    if (file.get() < 0) return io_error("cannot create a file in", dir);
    auto abandon = [&](std::string_view what) {
        auto error = io_error(what, temp_path);
        ::unlink(temp_path.c_str());
        return error;
    };
    // mkstemp makes the file private; media are public, and a web server in front of carnet
    // may serve the directory itself.
    if (::fchmod(file.get(), 0644) != 0) return abandon("cannot set the mode of");
    const auto* bytes = static_cast<const char*>(data);
    while (size > 0) {
        const ssize_t written = ::write(file.get(), bytes, size);
        if (written < 0) {
            if (errno == EINTR) continue;
            return abandon("cannot write");
        }
        bytes += written;
        size -= static_cast<std::size_t>(written);
    }
    if (::fsync(file.get()) != 0) return abandon("cannot flush");
    if (!file.close()) return abandon("cannot close");
    if (::rename(temp_path.c_str(), final_path.c_str()) != 0) return abandon("cannot rename");
    return {};
}

// Makes one variant: libvips shrinks while decoding where the format allows (JPEG, WebP),
// turns the image upright, converts it to sRGB (so that dropping the ICC profile keeps its
// colours) and the encoder strips every metadata block: EXIF, GPS, XMP, IPTC, ICC.
model::Result<GBuffer> make_variant(std::string_view original, const ImageInfo& info,
                                    const Variant& variant, std::size_t* size) {
    VipsImage* out = nullptr;
    // The loader reads every frame of an animation, and the target height is one frame's.
    const char* load_options = info.animated ? "n=-1" : "";
    if (vips_thumbnail_buffer(const_cast<char*>(original.data()), original.size(), &out,
                              variant.width, "height", variant.height, "size", VIPS_SIZE_FORCE,
                              "export_profile", "srgb", "option_string", load_options,
                              nullptr) != 0) {
        return fail(Error::Code::internal, "cannot resize the image: " + vips_error_text());
    }
    ImagePtr image(out);
    void* buffer = nullptr;
    int status = -1;
    switch (info.type) {
        case ImageType::jpeg:
            // Progressive: the reader sees the whole picture early, coarse, on a slow link.
            status = vips_jpegsave_buffer(image.get(), &buffer, size, "Q", 82, "strip", TRUE,
                                          "optimize_coding", TRUE, "interlace", TRUE, nullptr);
            break;
        case ImageType::png:
            status = vips_pngsave_buffer(image.get(), &buffer, size, "strip", TRUE, nullptr);
            break;
        case ImageType::webp:
            status =
                vips_webpsave_buffer(image.get(), &buffer, size, "Q", 80, "strip", TRUE, nullptr);
            break;
        case ImageType::gif:
            break;  // never planned
    }
    GBuffer owned(buffer);
    if (status != 0) {
        return fail(Error::Code::internal, "cannot encode a resized image: " + vips_error_text());
    }
    return owned;
}

bool is_lower_hex(std::string_view text) {
    return text.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

std::optional<ImageType> type_of_extension(std::string_view ext) {
    for (ImageType type : {ImageType::jpeg, ImageType::png, ImageType::webp, ImageType::gif}) {
        if (ext == extension(type)) return type;
    }
    return std::nullopt;
}

constexpr std::size_t k_hash_hex_digits = 64;

}  // namespace

std::string_view extension(ImageType type) {
    switch (type) {
        case ImageType::jpeg:
            return "jpg";
        case ImageType::png:
            return "png";
        case ImageType::webp:
            return "webp";
        case ImageType::gif:
            return "gif";
    }
    return "bin";
}

std::string_view content_type(ImageType type) {
    switch (type) {
        case ImageType::jpeg:
            return "image/jpeg";
        case ImageType::png:
            return "image/png";
        case ImageType::webp:
            return "image/webp";
        case ImageType::gif:
            return "image/gif";
    }
    return "application/octet-stream";
}

std::optional<ImageType> detect_type(std::string_view bytes) {
    // Signatures: JPEG's SOI marker and the start of the next marker (ITU T.81 B.1.1.2); PNG's
    // eight bytes (RFC 2083 §3.1); a RIFF container of form WEBP; GIF87a or GIF89a.
    if (bytes.starts_with("\xFF\xD8\xFF")) return ImageType::jpeg;
    if (bytes.starts_with("\x89PNG\r\n\x1A\n")) return ImageType::png;
    if (bytes.size() >= 12 && bytes.starts_with("RIFF") && bytes.substr(8, 4) == "WEBP") {
        return ImageType::webp;
    }
    if (bytes.starts_with("GIF87a") || bytes.starts_with("GIF89a")) return ImageType::gif;
    return std::nullopt;
}

model::Result<ImageInfo> inspect(std::string_view bytes, const Limits& limits) {
    if (bytes.empty()) return fail(Error::Code::invalid_input, "the file is empty");
    if (bytes.size() > limits.max_bytes) {
        return fail(Error::Code::invalid_input,
                    fmt::format("the file holds {} bytes; an image may hold at most {} bytes",
                                bytes.size(), limits.max_bytes));
    }
    const auto type = detect_type(bytes);
    if (!type) {
        return fail(Error::Code::invalid_input,
                    "the file is not a JPEG, PNG, WebP or GIF image (only those are accepted)");
    }
    if (!vips_ready()) {
        return fail(Error::Code::internal, "libvips failed to start: " + vips_error_text());
    }
    // Loading reads the header only; pixels come when asked for, after the size check.
    ImagePtr image = load(*type, bytes);
    if (!image) {
        return fail(Error::Code::invalid_input, fmt::format("the file is not a valid {} image ({})",
                                                            type_name(*type), vips_error_text()));
    }
    const int frame_width = vips_image_get_width(image.get());
    const int frame_height = vips_image_get_page_height(image.get());
    const int frames = vips_image_get_n_pages(image.get());
    const auto pixels =
        std::uint64_t(frame_width) * std::uint64_t(vips_image_get_height(image.get()));
    if (pixels > limits.max_pixels) {
        return fail(Error::Code::invalid_input,
                    fmt::format("the image is {}x{} pixels{}; at most {} megapixels are accepted",
                                frame_width, frame_height,
                                frames > 1 ? fmt::format(" by {} frames", frames) : "",
                                limits.max_pixels / 1'000'000.0));
    }
    // Computing the mean pulls every pixel through the decoder, which fails on a truncated or
    // corrupt file; a header can be whole above a body that is not.
    double mean = 0;
    if (vips_avg(image.get(), &mean, nullptr) != 0) {
        return fail(Error::Code::invalid_input,
                    fmt::format("the {} image is truncated or corrupt ({})", type_name(*type),
                                vips_error_text()));
    }
    ImageInfo info{
        .type = *type, .width = frame_width, .height = frame_height, .animated = frames > 1};
    // Browsers show a photo upright by its EXIF orientation, and so do the variants.
    if (vips_image_get_orientation_swap(image.get())) std::swap(info.width, info.height);
    return info;
}

std::string content_hash(std::string_view bytes) {
    if (sodium_init() < 0) std::abort();  // cannot happen once the CPU is known to libsodium
    unsigned char digest[crypto_generichash_BYTES];
    static_assert(crypto_generichash_BYTES * 2 == k_hash_hex_digits);
    crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(bytes.data()),
                       bytes.size(), nullptr, 0);
    std::string hex(sizeof digest * 2 + 1, '\0');
    sodium_bin2hex(hex.data(), hex.size(), digest, sizeof digest);
    hex.pop_back();
    return hex;
}

model::Result<StoredImage> store(const std::filesystem::path& media_dir, std::string_view bytes,
                                 const Limits& limits) {
    auto info = inspect(bytes, limits);
    if (!info) return std::unexpected(std::move(info.error()));
    const std::string hash = content_hash(bytes);
    StoredImage stored{
        .hash = hash,
        .type = info->type,
        .content_type = std::string(content_type(info->type)),
        .size_bytes = bytes.size(),
        .width = info->width,
        .height = info->height,
        .file_name = fmt::format("{}.{}", hash, extension(info->type)),
        .variants =
            plan_variants(hash, info->type, info->width, info->height, limits.variant_widths),
    };

    std::error_code error;
    bool wrote = false;
    for (const Variant& variant : stored.variants) {
        // Variants follow from the original and the libvips version: one that exists is kept,
        // and one that is missing (an earlier store cut short) is made now.
        if (std::filesystem::exists(media_dir / variant.file_name, error)) continue;
        std::size_t size = 0;
        auto encoded = make_variant(bytes, *info, variant, &size);
        if (!encoded) return std::unexpected(std::move(encoded.error()));
        auto written = write_atomically(media_dir, variant.file_name, encoded->get(), size);
        if (!written) return std::unexpected(std::move(written.error()));
        wrote = true;
    }
    // The original last: once it is there, so is everything that goes with it. Same name, same
    // bytes: a file already there is the one we would write; its size guards against a file
    // left by something else than write_atomically.
    const auto original_size = std::filesystem::file_size(media_dir / stored.file_name, error);
    if (error || original_size != bytes.size()) {
        auto written = write_atomically(media_dir, stored.file_name, bytes.data(), bytes.size());
        if (!written) return std::unexpected(std::move(written.error()));
        wrote = true;
    }
    // The renames are durable only once the directory is on disk: the caller is about to
    // record these names in the database.
    if (wrote) {
        FileDescriptor directory(::open(media_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (directory.get() < 0 || ::fsync(directory.get()) != 0) {
            return io_error("cannot flush", media_dir);
        }
    }
    return stored;
}

model::Result<StoredImage> describe(std::string_view file_name, std::uint64_t size_bytes, int width,
                                    int height, const std::vector<int>& variant_widths) {
    const auto parsed = parse_file_name(file_name);
    if (!parsed || parsed->width) {
        return fail(Error::Code::invalid_input,
                    fmt::format("'{}' is not the name of a stored original image", file_name));
    }
    if (width <= 0 || height <= 0) {
        return fail(Error::Code::invalid_input, "an image's width and height must be positive");
    }
    return StoredImage{
        .hash = parsed->hash,
        .type = parsed->type,
        .content_type = std::string(content_type(parsed->type)),
        .size_bytes = size_bytes,
        .width = width,
        .height = height,
        .file_name = std::string(file_name),
        .variants = plan_variants(parsed->hash, parsed->type, width, height, variant_widths),
    };
}

std::string img_html(const StoredImage& image, std::string_view alt, std::string_view sizes) {
    constexpr std::string_view prefix = "/media/";
    std::string html = "<img src=\"";
    if (image.variants.empty()) {
        html += fmt::format("{}{}\"", prefix, image.file_name);
    } else {
        html += fmt::format("{}{}\" srcset=\"", prefix, image.variants.back().file_name);
        for (std::size_t i = 0; i < image.variants.size(); ++i) {
            const Variant& variant = image.variants[i];
            html +=
                fmt::format("{}{}{} {}w", i ? ", " : "", prefix, variant.file_name, variant.width);
        }
        html += "\" sizes=\"";
        html += text::html_escape(sizes);
        html += '"';
    }
    html += fmt::format(" width=\"{}\" height=\"{}\" alt=\"", image.width, image.height);
    html += text::html_escape(alt);
    html += "\" loading=\"lazy\" decoding=\"async\">";
    return html;
}

std::optional<MediaFile> parse_file_name(std::string_view name) {
    if (name.size() < k_hash_hex_digits + 2) return std::nullopt;
    MediaFile file{.hash = std::string(name.substr(0, k_hash_hex_digits))};
    if (!is_lower_hex(file.hash)) return std::nullopt;
    std::string_view rest = name.substr(k_hash_hex_digits);
    if (rest.starts_with('-')) {
        // A width as store() writes it: 1 to 6 digits, no leading zero, no sign.
        const std::size_t digits = rest.find_first_not_of("0123456789", 1);
        if (digits == std::string_view::npos || digits == 1 || digits > 7 || rest[1] == '0') {
            return std::nullopt;
        }
        int width = 0;
        for (char digit : rest.substr(1, digits - 1)) width = width * 10 + (digit - '0');
        file.width = width;
        rest.remove_prefix(digits);
    }
    if (!rest.starts_with('.')) return std::nullopt;
    const auto type = type_of_extension(rest.substr(1));
    if (!type) return std::nullopt;
    file.type = *type;
    if (file.type == ImageType::gif && file.width) return std::nullopt;  // never made
    return file;
}

model::Result<std::string> read_file(const std::filesystem::path& media_dir,
                                     std::string_view name) {
    if (!parse_file_name(name)) {
        return fail(Error::Code::invalid_input, fmt::format("'{}' is not a media file name", name));
    }
    const auto path = media_dir / name;
    FileDescriptor file(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (file.get() < 0) {
        if (errno == ENOENT) {
            return fail(Error::Code::not_found, fmt::format("no media file '{}'", name));
        }
        return io_error("cannot open", path);
    }
    struct stat status {};
    if (::fstat(file.get(), &status) != 0) return io_error("cannot read", path);
    if (!S_ISREG(status.st_mode)) {
        return fail(Error::Code::not_found, fmt::format("no media file '{}'", name));
    }
    std::string bytes(static_cast<std::size_t>(status.st_size), '\0');
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t got = ::read(file.get(), bytes.data() + done, bytes.size() - done);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) return io_error("cannot read", path);
        if (got == 0) break;  // shorter than stat said: a file is never rewritten in place
        done += static_cast<std::size_t>(got);
    }
    bytes.resize(done);
    return bytes;
}

std::string render_post_html(
    model::SourceFormat format, std::string_view source,
    const std::function<std::optional<StoredImage>(std::string_view file_name)>& find) {
    auto html = markup::render_post_body(format, source);
    constexpr std::string_view k_start = "<img src=\"/media/";
    std::string out;
    std::size_t from = 0;
    while (true) {
        const auto at = html.find(k_start, from);
        if (at == std::string::npos) break;
        const auto name_start = at + k_start.size();
        const auto name_end = html.find('"', name_start);
        const auto tag_end = html.find('>', name_start);
        if (name_end == std::string::npos || tag_end == std::string::npos) break;
        const auto name = std::string_view(html).substr(name_start, name_end - name_start);
        std::string replacement;
        if (parse_file_name(name)) {
            if (auto image = find(name)) {
                const auto tag = std::string_view(html).substr(at, tag_end - at);
                std::string alt;
                if (auto alt_at = tag.find(" alt=\""); alt_at != std::string_view::npos) {
                    const auto alt_start = alt_at + 6;
                    alt = text::decode_html_entities(
                        tag.substr(alt_start, tag.find('"', alt_start) - alt_start));
                }
                replacement = img_html(*image, alt);
            }
        }
        out.append(html, from, at - from);
        if (replacement.empty()) {
            out.append(html, at, tag_end + 1 - at);
        } else {
            out += replacement;
        }
        from = tag_end + 1;
    }
    out.append(html, from);
    return out;
}

}  // namespace carnet::media
