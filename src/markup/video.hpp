// Click-to-load videos: a paragraph that holds nothing but a link to a YouTube, Vimeo or
// Dailymotion video becomes a poster that links to the video page. The theme's script turns
// the poster into a button that loads the provider's player only when the reader clicks, so
// a page makes no request to the video site before that. Private to markup.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace carnet::markup {

enum class VideoProvider { youtube, vimeo, dailymotion };

struct VideoLink {
    VideoProvider provider = VideoProvider::youtube;
    // Checked against the provider's alphabet and length: safe in a URL path and an attribute.
    std::string id;
    int start_seconds = 0;  // 0: from the beginning
};

// The video an absolute http(s) URL names on one of the three providers, or nothing when the
// URL is anything else (another host, a look-alike host, a user name or port, an ID outside
// the provider's alphabet or length). A malformed start time is ignored, not a refusal.
std::optional<VideoLink> recognize_video(std::string_view url);

// "YouTube", "Vimeo", "Dailymotion".
std::string_view provider_name(VideoProvider provider);

// The video's page on the provider's site, where a reader without JavaScript goes.
std::string video_page_url(const VideoLink& video);

// The provider's player, set to start playing: youtube-nocookie.com for YouTube.
std::string video_player_url(const VideoLink& video);

// Replaces each paragraph of `html` that is a video URL alone (as text or as the only link,
// the way md4c renders a bare URL or an autolink) with the poster; everything else is kept
// byte for byte.
std::string embed_videos(std::string_view html);

}  // namespace carnet::markup
