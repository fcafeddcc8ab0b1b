#include "media/media.hpp"

#include <gtest/gtest.h>
#include <unistd.h>
#include <vips/vips.h>
#include <zlib.h>

#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace carnet::media {
namespace {

namespace fs = std::filesystem;
using Code = model::Error::Code;

struct ImageUnref {
    void operator()(VipsImage* image) const { g_object_unref(image); }
};
using Image = std::unique_ptr<VipsImage, ImageUnref>;

// Real images, made by libvips itself: a colour gradient (so encoders have work to do and
// truncation hits real entropy-coded data).
Image make_rgb(int width, int height) {
    VipsImage* xyz = nullptr;
    if (vips_xyz(&xyz, width, height, nullptr) != 0) return nullptr;
    Image owned_xyz(xyz);
    VipsImage* wrapped = nullptr;
    if (vips_remainder_const1(xyz, &wrapped, 256, nullptr) != 0) return nullptr;
    Image owned_wrapped(wrapped);
    VipsImage* bytes = nullptr;
    if (vips_cast_uchar(wrapped, &bytes, nullptr) != 0) return nullptr;
    Image owned_bytes(bytes);
    VipsImage* first = nullptr;
    if (vips_extract_band(bytes, &first, 0, nullptr) != 0) return nullptr;
    Image owned_first(first);
    VipsImage* bands[] = {bytes, first};
    VipsImage* rgb = nullptr;
    if (vips_bandjoin(bands, &rgb, 2, nullptr) != 0) return nullptr;
    Image owned_rgb(rgb);
    // A copy of our own, so that setting metadata on it touches no shared image.
    VipsImage* copy = nullptr;
    if (vips_copy(rgb, &copy, nullptr) != 0) return nullptr;
    return Image(copy);
}

// `suffix` picks the saver and its options, as libvips reads file names: ".jpg[Q=90]".
std::string encode(VipsImage* image, const char* suffix) {
    void* buffer = nullptr;
    std::size_t size = 0;
    if (vips_image_write_to_buffer(image, suffix, &buffer, &size, nullptr) != 0) return {};
    std::string bytes(static_cast<const char*>(buffer), size);
    g_free(buffer);
    return bytes;
}

std::string make_file(int width, int height, const char* suffix) {
    auto image = make_rgb(width, height);
    return image ? encode(image.get(), suffix) : std::string();
}

// Header of an encoded image; `bytes` must outlive it.
Image header(const std::string& bytes, const char* options = "") {
    VipsImage* image = vips_image_new_from_buffer(bytes.data(), bytes.size(), options, nullptr);
    return Image(image);
}

std::string big_endian(std::uint32_t value) {
    return {static_cast<char>(value >> 24), static_cast<char>(value >> 16),
            static_cast<char>(value >> 8), static_cast<char>(value)};
}

std::string png_chunk(std::string_view type, std::string_view data) {
    std::string body = std::string(type) + std::string(data);
    const auto crc = crc32(0, reinterpret_cast<const Bytef*>(body.data()), body.size());
    return big_endian(static_cast<std::uint32_t>(data.size())) + body +
           big_endian(static_cast<std::uint32_t>(crc));
}

std::string slurp(const fs::path& path) {
    auto bytes = read_file(path.parent_path(), path.filename().string());
    return bytes ? *bytes : std::string();
}

class MediaTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() { ASSERT_EQ(VIPS_INIT("carnet_media_test"), 0); }

    void SetUp() override {
        const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
        dir_ = fs::temp_directory_path() /
               (std::string("carnet-media-") + test->name() + "-" + std::to_string(::getpid()));
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }

    std::set<std::string> files() const {
        std::set<std::string> names;
        for (const auto& entry : fs::directory_iterator(dir_)) {
            names.insert(entry.path().filename().string());
        }
        return names;
    }

    fs::path dir_;
};

void expect_refused(const model::Result<ImageInfo>& result, std::string_view message_part) {
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().code, Code::invalid_input);
    EXPECT_NE(result.error().message.find(message_part), std::string::npos)
        << result.error().message;
}

TEST_F(MediaTest, DetectsTheFourTypesByTheirBytes) {
    EXPECT_EQ(detect_type(make_file(8, 8, ".jpg")), ImageType::jpeg);
    EXPECT_EQ(detect_type(make_file(8, 8, ".png")), ImageType::png);
    EXPECT_EQ(detect_type(make_file(8, 8, ".webp")), ImageType::webp);
    EXPECT_EQ(detect_type(make_file(8, 8, ".gif")), ImageType::gif);
    EXPECT_EQ(detect_type(""), std::nullopt);
    EXPECT_EQ(detect_type("<svg xmlns=\"http://www.w3.org/2000/svg\"/>"), std::nullopt);
    EXPECT_EQ(detect_type("RIFF\0\0\0\0WAVEfmt "), std::nullopt);
    EXPECT_EQ(detect_type("\xFF\xD8"), std::nullopt);
}

TEST_F(MediaTest, InspectDecodesEachAcceptedType) {
    for (const char* suffix : {".jpg", ".png", ".webp", ".gif"}) {
        const auto info = inspect(make_file(120, 80, suffix));
        ASSERT_TRUE(info.has_value()) << suffix << ": " << info.error().message;
        EXPECT_EQ(info->width, 120) << suffix;
        EXPECT_EQ(info->height, 80) << suffix;
        EXPECT_FALSE(info->animated) << suffix;
    }
}

TEST_F(MediaTest, RefusesWhatIsNotAnAcceptedImage) {
    expect_refused(inspect(""), "empty");
    expect_refused(inspect("just some text"), "not a JPEG, PNG, WebP or GIF");
    expect_refused(inspect("<svg xmlns=\"http://www.w3.org/2000/svg\">"
                           "<script>alert(document.cookie)</script></svg>"),
                   "not a JPEG");
    expect_refused(inspect("<!DOCTYPE html><html><body onload=alert(1)>"), "not a JPEG");
    expect_refused(inspect("%PDF-1.7\n"), "not a JPEG");
    // A polyglot: a GIF signature in front of a page. It passes detection, not decoding.
    expect_refused(inspect("GIF89a<script>alert(1)</script>"), "GIF");
    expect_refused(inspect(std::string("\x89PNG\r\n\x1A\n", 8) + std::string(4000, 'G')),
                   "not a valid PNG");
}

TEST_F(MediaTest, LibvipsLoadsNothingButTheFourTypesOnceStarted) {
    ASSERT_TRUE(inspect(make_file(8, 8, ".png")).has_value());  // starts libvips our way
    // libvips can read SVG (and, through its modules, PDF and ImageMagick's formats): not here.
    const std::string svg =
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"></svg>";
    EXPECT_FALSE(header(svg));
    vips_error_clear();
    EXPECT_TRUE(header(make_file(8, 8, ".webp")));
}

TEST_F(MediaTest, RefusesATruncatedJpeg) {
    const std::string whole = make_file(400, 300, ".jpg[Q=95]");
    ASSERT_TRUE(inspect(whole).has_value());
    expect_refused(inspect(whole.substr(0, whole.size() / 2)), "JPEG");
}

TEST_F(MediaTest, RefusesATruncatedPngAndWebp) {
    const std::string png = make_file(300, 200, ".png");
    expect_refused(inspect(png.substr(0, png.size() / 2)), "PNG");
    const std::string webp = make_file(300, 200, ".webp");
    expect_refused(inspect(webp.substr(0, webp.size() / 2)), "WebP");
}

TEST_F(MediaTest, RefusesADecompressionBombFromItsHeader) {
    // A tiny PNG whose header declares 100000 x 100000 pixels (30 GB decoded).
    std::string ihdr = big_endian(100'000) + big_endian(100'000) + std::string("\x08\x02\0\0\0", 5);
    std::string row(16, '\0');
    uLongf compressed_size = compressBound(row.size());
    std::string compressed(compressed_size, '\0');
    ASSERT_EQ(compress(reinterpret_cast<Bytef*>(compressed.data()), &compressed_size,
                       reinterpret_cast<const Bytef*>(row.data()), row.size()),
              Z_OK);
    compressed.resize(compressed_size);
    const std::string bomb = std::string("\x89PNG\r\n\x1A\n", 8) + png_chunk("IHDR", ihdr) +
                             png_chunk("IDAT", compressed) + png_chunk("IEND", "");
    ASSERT_LT(bomb.size(), 100u);
    expect_refused(inspect(bomb), "100000x100000 pixels");
}

TEST_F(MediaTest, EnforcesTheByteAndPixelLimits) {
    const std::string jpeg = make_file(200, 100, ".jpg");
    expect_refused(inspect(jpeg, Limits{.max_bytes = jpeg.size() - 1}), "at most");
    EXPECT_TRUE(inspect(jpeg, Limits{.max_bytes = jpeg.size()}).has_value());
    expect_refused(inspect(jpeg, Limits{.max_pixels = 19'999}), "megapixels");
    EXPECT_TRUE(inspect(jpeg, Limits{.max_pixels = 20'000}).has_value());
}

TEST_F(MediaTest, ReportsAnUprightSizeForARotatedPhoto) {
    auto image = make_rgb(300, 200);
    vips_image_set_int(image.get(), "orientation", 6);  // stored sideways, shown upright
    const std::string jpeg = encode(image.get(), ".jpg");
    const auto info = inspect(jpeg);
    ASSERT_TRUE(info.has_value()) << info.error().message;
    EXPECT_EQ(info->width, 200);
    EXPECT_EQ(info->height, 300);

    const auto stored = store(dir_, jpeg, Limits{.variant_widths = {100}});
    ASSERT_TRUE(stored.has_value()) << stored.error().message;
    ASSERT_EQ(stored->variants.size(), 2u);
    const std::string small = slurp(dir_ / stored->variants[0].file_name);
    auto variant = header(small);
    ASSERT_TRUE(variant);
    EXPECT_EQ(vips_image_get_width(variant.get()), 100);
    EXPECT_EQ(vips_image_get_height(variant.get()), 150);
    EXPECT_EQ(vips_image_get_orientation(variant.get()), 1);
}

TEST_F(MediaTest, StoresByContentHashWithVariantsOfEachWidth) {
    const std::string jpeg = make_file(2000, 1000, ".jpg");
    const auto stored = store(dir_, jpeg);
    ASSERT_TRUE(stored.has_value()) << stored.error().message;
    EXPECT_EQ(stored->hash.size(), 64u);
    EXPECT_EQ(stored->hash, content_hash(jpeg));
    EXPECT_EQ(stored->file_name, stored->hash + ".jpg");
    EXPECT_EQ(stored->type, ImageType::jpeg);
    EXPECT_EQ(stored->content_type, "image/jpeg");
    EXPECT_EQ(stored->size_bytes, jpeg.size());
    EXPECT_EQ(stored->width, 2000);
    EXPECT_EQ(stored->height, 1000);
    EXPECT_EQ(slurp(dir_ / stored->file_name), jpeg);  // the original, byte for byte

    ASSERT_EQ(stored->variants.size(), 4u);
    const int widths[] = {480, 960, 1600, 2000};
    for (std::size_t i = 0; i < 4; ++i) {
        const Variant& variant = stored->variants[i];
        EXPECT_EQ(variant.width, widths[i]);
        EXPECT_EQ(variant.height, widths[i] / 2);
        EXPECT_EQ(variant.file_name, stored->hash + "-" + std::to_string(widths[i]) + ".jpg");
        const std::string bytes = slurp(dir_ / variant.file_name);
        EXPECT_EQ(detect_type(bytes), ImageType::jpeg);
        auto image = header(bytes);
        ASSERT_TRUE(image) << variant.file_name;
        EXPECT_EQ(vips_image_get_width(image.get()), variant.width);
        EXPECT_EQ(vips_image_get_height(image.get()), variant.height);
    }
    EXPECT_EQ(files().size(), 5u);
}

TEST_F(MediaTest, MakesNoVariantWiderThanTheImage) {
    const auto stored = store(dir_, make_file(500, 333, ".png"));
    ASSERT_TRUE(stored.has_value()) << stored.error().message;
    ASSERT_EQ(stored->variants.size(), 2u);
    EXPECT_EQ(stored->variants[0].width, 480);
    EXPECT_EQ(stored->variants[0].height, 320);  // 333 * 480 / 500 = 319.68
    EXPECT_EQ(stored->variants[1].width, 500);
    const std::string bytes = slurp(dir_ / stored->variants[0].file_name);
    EXPECT_EQ(detect_type(bytes), ImageType::png);
    auto image = header(bytes);
    ASSERT_TRUE(image);
    EXPECT_EQ(vips_image_get_height(image.get()), 320);
}

TEST_F(MediaTest, StoringTheSameBytesTwiceChangesNothing) {
    const std::string webp = make_file(1000, 600, ".webp");
    const auto first = store(dir_, webp);
    ASSERT_TRUE(first.has_value()) << first.error().message;
    const auto listing = files();
    std::map<std::string, fs::file_time_type> times;
    for (const auto& name : listing) times[name] = fs::last_write_time(dir_ / name);

    const auto second = store(dir_, webp);
    ASSERT_TRUE(second.has_value()) << second.error().message;
    EXPECT_EQ(second->file_name, first->file_name);
    EXPECT_EQ(second->variants.size(), first->variants.size());
    EXPECT_EQ(files(), listing);  // no temporary file left behind either
    for (const auto& name : listing) EXPECT_EQ(fs::last_write_time(dir_ / name), times[name]);

    // A variant lost (an earlier store cut short) is made again.
    fs::remove(dir_ / first->variants[0].file_name);
    ASSERT_TRUE(store(dir_, webp).has_value());
    EXPECT_EQ(files(), listing);
}

TEST_F(MediaTest, StoresFromManyThreadsAtOnce) {
    const std::string first = make_file(700, 500, ".jpg");
    const std::string second = make_file(600, 400, ".png");
    std::vector<model::Result<StoredImage>> results(6);
    {
        std::vector<std::jthread> threads;
        for (std::size_t i = 0; i < results.size(); ++i) {
            threads.emplace_back([&, i] { results[i] = store(dir_, i % 2 ? second : first); });
        }
    }
    for (const auto& result : results) ASSERT_TRUE(result.has_value()) << result.error().message;
    EXPECT_EQ(results[0]->file_name, results[2]->file_name);
    EXPECT_EQ(results[1]->file_name, results[3]->file_name);
    // Two originals, two variants each, and no temporary file left behind.
    EXPECT_EQ(files().size(), 6u);
    for (const auto& name : files()) EXPECT_TRUE(parse_file_name(name).has_value()) << name;
}

TEST_F(MediaTest, VariantsCarryNoMetadata) {
    auto image = make_rgb(1200, 800);
    const std::string secret = "carnet-test-secret-place 48.8566N 2.3522E";
    const std::string xmp = "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">" + secret + "</x:xmpmeta>";
    vips_image_set_blob_copy(image.get(), "xmp-data", xmp.data(), xmp.size());
    vips_image_set_int(image.get(), "orientation", 1);
    const std::string jpeg = encode(image.get(), ".jpg");
    ASSERT_NE(jpeg.find(secret), std::string::npos);  // the upload does carry it

    const auto stored = store(dir_, jpeg);
    ASSERT_TRUE(stored.has_value()) << stored.error().message;
    ASSERT_FALSE(stored->variants.empty());
    EXPECT_EQ(stored->variants.back().width, 1200);  // a full-size copy, for the page
    for (const Variant& variant : stored->variants) {
        const std::string bytes = slurp(dir_ / variant.file_name);
        EXPECT_EQ(bytes.find(secret), std::string::npos) << variant.file_name;
        EXPECT_EQ(bytes.find("Exif"), std::string::npos) << variant.file_name;
        auto loaded = header(bytes);
        ASSERT_TRUE(loaded);
        EXPECT_EQ(vips_image_get_typeof(loaded.get(), "xmp-data"), 0u) << variant.file_name;
        EXPECT_EQ(vips_image_get_typeof(loaded.get(), "exif-data"), 0u) << variant.file_name;
    }
    EXPECT_EQ(slurp(dir_ / stored->file_name), jpeg);  // the archive keeps it all
}

TEST_F(MediaTest, GifIsKeptAsItIsWithoutVariants) {
    const std::string gif = make_file(1000, 500, ".gif");
    const auto stored = store(dir_, gif);
    ASSERT_TRUE(stored.has_value()) << stored.error().message;
    EXPECT_EQ(stored->type, ImageType::gif);
    EXPECT_TRUE(stored->variants.empty());
    EXPECT_EQ(files(), std::set<std::string>{stored->hash + ".gif"});
    EXPECT_EQ(img_html(*stored, "anim"),
              "<img src=\"/media/" + stored->hash +
                  ".gif\" width=\"1000\" height=\"500\" alt=\"anim\" loading=\"lazy\" "
                  "decoding=\"async\">");
}

TEST_F(MediaTest, AnimatedWebpVariantsKeepEveryFrame) {
    auto image = make_rgb(600, 3 * 400);
    vips_image_set_int(image.get(), "page-height", 400);
    const std::string webp = encode(image.get(), ".webp");
    const auto info = inspect(webp);
    ASSERT_TRUE(info.has_value()) << info.error().message;
    EXPECT_TRUE(info->animated);
    EXPECT_EQ(info->width, 600);
    EXPECT_EQ(info->height, 400);

    const auto stored = store(dir_, webp, Limits{.variant_widths = {300}});
    ASSERT_TRUE(stored.has_value()) << stored.error().message;
    ASSERT_EQ(stored->variants.size(), 2u);
    const std::string bytes = slurp(dir_ / stored->variants[0].file_name);
    auto variant = header(bytes, "n=-1");
    ASSERT_TRUE(variant);
    EXPECT_EQ(vips_image_get_n_pages(variant.get()), 3);
    EXPECT_EQ(vips_image_get_width(variant.get()), 300);
    EXPECT_EQ(vips_image_get_page_height(variant.get()), 200);
}

TEST_F(MediaTest, AnAnimationCountsEveryFrameAgainstThePixelLimit) {
    auto image = make_rgb(100, 10 * 100);
    vips_image_set_int(image.get(), "page-height", 100);
    const std::string gif = encode(image.get(), ".gif");
    expect_refused(inspect(gif, Limits{.max_pixels = 50'000}), "by 10 frames");
    EXPECT_TRUE(inspect(gif, Limits{.max_pixels = 100'000}).has_value());
}

TEST_F(MediaTest, DescribeRebuildsWhatStoreReturned) {
    const auto stored = store(dir_, make_file(1700, 900, ".jpg"));
    ASSERT_TRUE(stored.has_value()) << stored.error().message;
    const auto described =
        describe(stored->file_name, stored->size_bytes, stored->width, stored->height);
    ASSERT_TRUE(described.has_value()) << described.error().message;
    EXPECT_EQ(described->hash, stored->hash);
    EXPECT_EQ(described->content_type, stored->content_type);
    ASSERT_EQ(described->variants.size(), stored->variants.size());
    for (std::size_t i = 0; i < stored->variants.size(); ++i) {
        EXPECT_EQ(described->variants[i].file_name, stored->variants[i].file_name);
        EXPECT_EQ(described->variants[i].height, stored->variants[i].height);
    }
    EXPECT_EQ(img_html(*described, "x"), img_html(*stored, "x"));
    EXPECT_FALSE(describe(stored->variants[0].file_name, 1, 480, 254).has_value());
    EXPECT_FALSE(describe("../" + stored->file_name, 1, 10, 10).has_value());
    EXPECT_FALSE(describe(stored->file_name, 1, 0, 10).has_value());
}

TEST_F(MediaTest, ImgHtmlListsVariantsAndEscapesAlt) {
    const auto image = describe(std::string(64, 'a') + ".jpg", 1234, 1000, 500);
    ASSERT_TRUE(image.has_value());
    const std::string html = img_html(*image, "Misrata \"<script>alert('x')</script>\" & co");
    const std::string base = "/media/" + std::string(64, 'a');
    EXPECT_EQ(html, "<img src=\"" + base + "-1000.jpg\" srcset=\"" + base + "-480.jpg 480w, " +
                        base + "-960.jpg 960w, " + base +
                        "-1000.jpg 1000w\" sizes=\"(max-width: 960px) 100vw, 960px\" "
                        "width=\"1000\" height=\"500\" alt=\"Misrata &quot;&lt;script&gt;"
                        "alert(&#39;x&#39;)&lt;/script&gt;&quot; &amp; co\" loading=\"lazy\" "
                        "decoding=\"async\">");
    EXPECT_NE(img_html(*image, "", "\"><b>").find("sizes=\"&quot;&gt;&lt;b&gt;\""),
              std::string::npos);
}

TEST_F(MediaTest, FileNamesHaveExactlyOneShape) {
    const std::string hash(64, 'f');
    const auto original = parse_file_name(hash + ".webp");
    ASSERT_TRUE(original.has_value());
    EXPECT_EQ(original->hash, hash);
    EXPECT_EQ(original->type, ImageType::webp);
    EXPECT_FALSE(original->width.has_value());
    const auto variant = parse_file_name(hash + "-960.jpg");
    ASSERT_TRUE(variant.has_value());
    EXPECT_EQ(variant->width, 960);
    EXPECT_EQ(content_type(variant->type), "image/jpeg");

    for (const std::string& bad : std::vector<std::string>{
             std::string("../") + hash + ".jpg",
             "/etc/passwd",
             "..",
             "",
             hash,
             hash + ".",
             hash + ".jpeg",
             hash + ".svg",
             hash + ".JPG",
             hash + ".jpg/",
             hash + ".jpg.png",
             hash + "-.jpg",
             hash + "-0480.jpg",
             hash + "-0.jpg",
             hash + "-1234567.jpg",
             hash + "-480x.jpg",
             hash + "-480.gif",
             hash + "--480.jpg",
             hash.substr(1) + ".jpg",
             hash + "f.jpg",
             std::string(64, 'F') + ".jpg",
             std::string(64, 'g') + ".jpg",
             std::string("a/") + hash.substr(2) + ".jpg",
             hash + std::string(".jpg\0", 5),
         }) {
        EXPECT_FALSE(parse_file_name(bad).has_value()) << bad;
    }
}

TEST_F(MediaTest, ReadFileServesStoredFilesOnly) {
    const std::string png = make_file(64, 64, ".png");
    const auto stored = store(dir_, png);
    ASSERT_TRUE(stored.has_value()) << stored.error().message;
    const auto bytes = read_file(dir_, stored->file_name);
    ASSERT_TRUE(bytes.has_value()) << bytes.error().message;
    EXPECT_EQ(*bytes, png);

    const auto missing = read_file(dir_, std::string(64, '0') + ".png");
    ASSERT_FALSE(missing.has_value());
    EXPECT_EQ(missing.error().code, Code::not_found);

    fs::create_directories(dir_ / "sub");
    std::ofstream(dir_ / "sub" / "secret.txt") << "secret";
    for (const std::string& bad :
         std::vector<std::string>{"../" + dir_.filename().string() + "/" + stored->file_name,
                                  std::string("sub/secret.txt"), (dir_ / "sub/secret.txt").string(),
                                  std::string("/etc/passwd")}) {
        const auto refused = read_file(dir_, bad);
        ASSERT_FALSE(refused.has_value()) << bad;
        EXPECT_EQ(refused.error().code, Code::invalid_input) << bad;
    }
}

TEST_F(MediaTest, StoreRefusesBadUploadsAndWritesNothing) {
    const std::string jpeg = make_file(300, 200, ".jpg");
    const auto refused = store(dir_, jpeg.substr(0, jpeg.size() - 200));
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, Code::invalid_input);
    EXPECT_TRUE(files().empty());

    const auto missing_dir = store(dir_ / "nowhere", jpeg);
    ASSERT_FALSE(missing_dir.has_value());
    EXPECT_EQ(missing_dir.error().code, Code::io);
}

}  // namespace
}  // namespace carnet::media
