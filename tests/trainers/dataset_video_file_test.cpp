// Video files read through FFmpeg (data.dataset videos): the test encodes a tiny lossless clip with
// FFmpeg's own libraries (FFV1 in Matroska, frames of known colours), then reads frames back by
// index and through the action task. In a build without FFmpeg it checks the error that names the
// packages and says the rest is skipped.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <array>

#include "support/temp_dir.h"
#include "trainers/datasets/video_clip_set.h"
#include "trainers/lib/config/config.h"
#include "trainers/lib/io/video_file.h"
#include "trainers/tasks/task.h"

#if GAZE_TESTS_HAVE_FFMPEG
extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libswscale/swscale.h>
}
#endif

using namespace gaze;
using namespace gaze::test;

namespace {

constexpr int kVideoTestWidth = 24, kVideoTestHeight = 16;

// Frame i's flat colour.
std::array<uint8_t, 3> video_test_colour(int64_t i) {
  return {static_cast<uint8_t>(20 * i + 10), 100, static_cast<uint8_t>(200 - 10 * i)};
}

std::string video_test_config(const TempDir& dir) {
  return fmt::format(R"(model:
  backbone: c2d
  in_channels: 3
  widths: [8]
  strides: [1]
  attention: {{}}
data:
  dataset: videos
  root: {}
  train_list: list.txt
  test_list: list.txt
  frames: 2
  frame_interval: 3
  image_size: 16
  short_side: 16
  test_views: 2
log:
  dir: {}
)",
                     dir.path.string(), dir.file("runs"));
}

#if GAZE_TESTS_HAVE_FFMPEG
// Encodes `frames` flat frames (video_test_colour) as FFV1 (lossless, YUV 4:4:4) into `path`.
void write_test_video(const std::string& path, int64_t frames) {
  AVFormatContext* out = nullptr;
  REQUIRE(avformat_alloc_output_context2(&out, nullptr, nullptr, path.c_str()) >= 0);
  const AVCodec* encoder = avcodec_find_encoder(AV_CODEC_ID_FFV1);
  REQUIRE(encoder != nullptr);
  AVStream* stream = avformat_new_stream(out, nullptr);
  AVCodecContext* codec = avcodec_alloc_context3(encoder);
  codec->width = kVideoTestWidth, codec->height = kVideoTestHeight, codec->pix_fmt = AV_PIX_FMT_YUV444P;
  codec->time_base = {1, 25}, codec->framerate = {25, 1};
  if (out->oformat->flags & AVFMT_GLOBALHEADER) codec->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  REQUIRE(avcodec_open2(codec, encoder, nullptr) >= 0);
  stream->time_base = codec->time_base;
  REQUIRE(avcodec_parameters_from_context(stream->codecpar, codec) >= 0);
  REQUIRE(avio_open(&out->pb, path.c_str(), AVIO_FLAG_WRITE) >= 0);
  REQUIRE(avformat_write_header(out, nullptr) >= 0);
  SwsContext* sws = sws_getContext(kVideoTestWidth, kVideoTestHeight, AV_PIX_FMT_RGB24, kVideoTestWidth, kVideoTestHeight, AV_PIX_FMT_YUV444P,
                                   SWS_BILINEAR, nullptr, nullptr, nullptr);
  AVFrame* frame = av_frame_alloc();
  frame->format = AV_PIX_FMT_YUV444P, frame->width = kVideoTestWidth, frame->height = kVideoTestHeight;
  REQUIRE(av_frame_get_buffer(frame, 0) >= 0);
  AVPacket* packet = av_packet_alloc();
  auto drain = [&] {
    while (avcodec_receive_packet(codec, packet) == 0) {
      av_packet_rescale_ts(packet, codec->time_base, stream->time_base);
      packet->stream_index = stream->index;
      REQUIRE(av_interleaved_write_frame(out, packet) >= 0);
    }
  };
  for (int64_t i = 0; i < frames; ++i) {
    std::vector<uint8_t> rgb;
    for (int p = 0; p < kVideoTestWidth * kVideoTestHeight; ++p) {
      const auto colour = video_test_colour(i);
      rgb.insert(rgb.end(), colour.begin(), colour.end());
    }
    const uint8_t* planes[1] = {rgb.data()};
    const int strides[1] = {kVideoTestWidth * 3};
    REQUIRE(av_frame_make_writable(frame) >= 0);
    sws_scale(sws, planes, strides, 0, kVideoTestHeight, frame->data, frame->linesize);
    frame->pts = i;
    REQUIRE(avcodec_send_frame(codec, frame) >= 0);
    drain();
  }
  avcodec_send_frame(codec, nullptr);
  drain();
  av_write_trailer(out);
  avio_closep(&out->pb);
  av_packet_free(&packet);
  av_frame_free(&frame);
  sws_freeContext(sws);
  avcodec_free_context(&codec);
  avformat_free_context(out);
}
#endif

}  // namespace

TEST_CASE("video files: frames decode by index to their colours, and the videos dataset samples clips from them") {
  TempDir dir("video_file");
  dir.write("list.txt", "clip_a.mkv 0\nclip_b.mkv 1\n");
  if (!video_decoding_available()) {
    CHECK_THROWS_WITH_AS(make_task(load_config(dir.write("videos.yaml", video_test_config(dir)))),
                         doctest::Contains("install libavformat-dev libavcodec-dev libavutil-dev libswscale-dev"), Error);
    MESSAGE("skipped decoding video files: this build has no FFmpeg (gaze: ffmpeg off)");
    return;
  }
#if GAZE_TESTS_HAVE_FFMPEG
  write_test_video(dir.file("clip_a.mkv"), 10);
  write_test_video(dir.file("clip_b.mkv"), 7);
  CHECK(probe_video_file(dir.file("clip_a.mkv")).frames == 10);
  const std::vector<DecodedImage> images = read_video_frames(dir.file("clip_a.mkv"), {7, 0, 7, 3});
  REQUIRE(images.size() == 4);
  CHECK(images[0].height == kVideoTestHeight);
  CHECK(images[0].width == kVideoTestWidth);
  const std::array<int64_t, 4> indices{7, 0, 7, 3};
  for (size_t k = 0; k < 4; ++k)
    for (int c = 0; c < 3; ++c) CHECK(std::abs(images[k].at(5, 9, c) - video_test_colour(indices[k])[static_cast<size_t>(c)]) <= 3);
  CHECK_THROWS_WITH_AS(read_video_frames(dir.file("clip_b.mkv"), {7}), doctest::Contains("clip_b.mkv: frame 7 asked for, but only 7 frames decode"),
                       Error);
  CHECK_THROWS_WITH_AS(probe_video_file(dir.write("bad.mkv", "not a video")), doctest::Contains("bad.mkv: FFmpeg cannot open it"), Error);

  const auto task = make_task(load_config(dir.write("videos.yaml", video_test_config(dir))));
  const auto& test = dynamic_cast<const VideoClipSet&>(task->test_set());
  REQUIRE(test.size() == 4);  // 2 videos x 2 views
  CHECK(test.video(1).total_frames == 7);
  // clip_a's two views: offsets spread over 0..10 - 2 x 3 = 4, so view 1 takes frames 4 and 7.
  CHECK(test.example_frames(1) == std::vector<int64_t>{4, 7});
  std::vector<float> input(static_cast<size_t>(numel(test.input_shape())));
  int64_t target = -1;
  test.example(1, nullptr, input.data(), &target);
  CHECK(target == 0);
  CHECK(input[16 * 16 + 5] * 58.395f + 123.675f == doctest::Approx(video_test_colour(7)[0]).epsilon(0.03));  // frame 7's red
  dir.write("missing.txt", "clip_c.mkv 0\n");
  CHECK_THROWS_WITH_AS(make_task(load_config(dir.file("videos.yaml"), {"data.train_list=missing.txt"})), doctest::Contains("clip_c.mkv: missing"),
                       Error);
#endif
}
