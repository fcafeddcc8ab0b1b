// WordPress exports as the import reads them: the streaming reader over the bytes, every event
// to the end, and the dates the import then reads.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "interop/wxr_format.hpp"

using namespace carnet::interop;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    auto reader = wxr::Reader::from_memory(bytes, TextEncoding::detect);
    if (!reader) return 0;
    while (true) {
        auto event = reader->next();
        if (!event || event->kind == wxr::Event::Kind::end) break;
        if (event->kind != wxr::Event::Kind::item) continue;
        const auto& item = event->item;
        (void)wxr::parse_date(item.post_date);
        (void)wxr::parse_date(item.post_date_gmt);
        (void)wxr::parse_rss_date(item.pub_date);
        for (const auto& comment : item.comments) (void)wxr::parse_date(comment.date_gmt);
    }
    (void)wxr::parse_rss_date(reader->channel().pub_date);
    return 0;
}
