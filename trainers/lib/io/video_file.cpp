// Without FFmpeg (GAZE_HAVE_FFMPEG 0): every reader is an error naming the packages.
#include "trainers/lib/io/video_file.h"

#if !GAZE_HAVE_FFMPEG
#include "framework/error.h"

namespace gaze {

namespace {

[[noreturn]] void fail_without_ffmpeg(const std::string& path) {
  fail("{}: this build of gaze decodes no video files: FFmpeg's libraries were not found when it was configured; install libavformat-dev "
       "libavcodec-dev libavutil-dev libswscale-dev and reconfigure",
       path);
}

}  // namespace

bool video_decoding_available() { return false; }
VideoFileInfo probe_video_file(const std::string& path) { fail_without_ffmpeg(path); }
std::vector<DecodedImage> read_video_frames(const std::string& path, const std::vector<int64_t>&) { fail_without_ffmpeg(path); }

}  // namespace gaze
#endif

#if GAZE_HAVE_FFMPEG
// With FFmpeg: libavformat demuxes, libavcodec decodes (one thread: the loader's workers are the
// parallelism), libswscale converts each wanted frame to RGB24.
extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/error.h>
#include <libavutil/log.h>
#include <libswscale/swscale.h>
}

#include <algorithm>
#include <map>
#include <memory>

#include "framework/error.h"

namespace gaze {

namespace {

std::string av_error_text(int code) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(code, text, sizeof(text));
  return text;
}

// One open video file: its container, its first video stream and that stream's decoder.
class OpenVideoFile {
 public:
  explicit OpenVideoFile(const std::string& path) : path_(path) {
    // FFmpeg's own log lines would repeat, unasked, what the errors below say with the file's name.
    static const bool quiet = (av_log_set_level(AV_LOG_FATAL), true);
    (void)quiet;
    int status = avformat_open_input(&format_, path.c_str(), nullptr, nullptr);
    if (status < 0) fail("{}: FFmpeg cannot open it as a video: {}", path, av_error_text(status));
    status = avformat_find_stream_info(format_, nullptr);
    if (status < 0) fail("{}: FFmpeg finds no stream information: {}", path, av_error_text(status));
    const AVCodec* decoder = nullptr;
    stream_ = av_find_best_stream(format_, AVMEDIA_TYPE_VIDEO, -1, -1, &decoder, 0);
    if (stream_ < 0 || decoder == nullptr) fail("{}: no video stream FFmpeg can decode ({})", path, av_error_text(stream_));
    codec_ = avcodec_alloc_context3(decoder);
    if (codec_ == nullptr) fail("{}: FFmpeg could not allocate a decoder", path);
    avcodec_parameters_to_context(codec_, format_->streams[stream_]->codecpar);
    codec_->thread_count = 1;
    status = avcodec_open2(codec_, decoder, nullptr);
    if (status < 0) fail("{}: FFmpeg cannot open its {} decoder: {}", path, decoder->name, av_error_text(status));
    packet_ = av_packet_alloc();
    frame_ = av_frame_alloc();
  }
  ~OpenVideoFile() {
    av_frame_free(&frame_);
    av_packet_free(&packet_);
    avcodec_free_context(&codec_);
    avformat_close_input(&format_);
  }
  OpenVideoFile(const OpenVideoFile&) = delete;
  OpenVideoFile& operator=(const OpenVideoFile&) = delete;

  // The video stream's packets, without decoding them: one per frame.
  int64_t count_packets() {
    int64_t packets = 0;
    while (av_read_frame(format_, packet_) >= 0) {
      if (packet_->stream_index == stream_) ++packets;
      av_packet_unref(packet_);
    }
    return packets;
  }

  // Decodes frames in order, calling `each(index, frame)` until it returns false or the file ends
  // (the decoder drained). Returns the frames decoded.
  template <typename Each>
  int64_t decode(Each each) {
    int64_t index = 0;
    bool more = true, input_done = false;
    while (more) {
      if (!input_done) {
        const int read = av_read_frame(format_, packet_);
        if (read < 0) {
          input_done = true;
          avcodec_send_packet(codec_, nullptr);  // drain
        } else if (packet_->stream_index == stream_) {
          const int sent = avcodec_send_packet(codec_, packet_);
          av_packet_unref(packet_);
          if (sent < 0 && sent != AVERROR(EAGAIN)) fail("{}: FFmpeg cannot decode frame {}: {}", path_, index, av_error_text(sent));
        } else {
          av_packet_unref(packet_);
          continue;
        }
      }
      for (;;) {
        const int got = avcodec_receive_frame(codec_, frame_);
        if (got == AVERROR(EAGAIN) && input_done) return index;  // drained
        if (got == AVERROR(EAGAIN)) break;
        if (got == AVERROR_EOF) return index;
        if (got < 0) fail("{}: FFmpeg cannot decode frame {}: {}", path_, index, av_error_text(got));
        more = each(index++, frame_);
        av_frame_unref(frame_);
        if (!more) return index;
      }
    }
    return index;
  }

  const std::string& path() const { return path_; }

 private:
  std::string path_;
  AVFormatContext* format_ = nullptr;
  AVCodecContext* codec_ = nullptr;
  AVPacket* packet_ = nullptr;
  AVFrame* frame_ = nullptr;
  int stream_ = -1;
};

DecodedImage frame_to_rgb(const AVFrame* frame, const std::string& path) {
  DecodedImage image;
  image.height = frame->height, image.width = frame->width, image.channels = 3;
  image.pixels.resize(static_cast<size_t>(image.height * image.width * 3));
  SwsContext* sws = sws_getContext(frame->width, frame->height, static_cast<AVPixelFormat>(frame->format), frame->width, frame->height,
                                   AV_PIX_FMT_RGB24, SWS_BILINEAR, nullptr, nullptr, nullptr);
  if (sws == nullptr) fail("{}: libswscale cannot convert its pixel format {} to RGB", path, frame->format);
  uint8_t* planes[4] = {image.pixels.data(), nullptr, nullptr, nullptr};
  int strides[4] = {static_cast<int>(image.width * 3), 0, 0, 0};
  sws_scale(sws, frame->data, frame->linesize, 0, frame->height, planes, strides);
  sws_freeContext(sws);
  return image;
}

}  // namespace

bool video_decoding_available() { return true; }

VideoFileInfo probe_video_file(const std::string& path) {
  OpenVideoFile video(path);
  VideoFileInfo info;
  info.frames = video.count_packets();
  return info;
}

std::vector<DecodedImage> read_video_frames(const std::string& path, const std::vector<int64_t>& frames) {
  if (frames.empty()) return {};
  const int64_t last = *std::max_element(frames.begin(), frames.end());
  std::map<int64_t, DecodedImage> wanted;
  for (int64_t f : frames) {
    if (f < 0) fail("{}: frame {} asked for; frames count from 0", path, f);
    wanted.emplace(f, DecodedImage{});
  }
  OpenVideoFile video(path);
  const int64_t decoded = video.decode([&](int64_t index, const AVFrame* frame) {
    auto it = wanted.find(index);
    if (it != wanted.end()) it->second = frame_to_rgb(frame, path);
    return index < last;
  });
  if (decoded <= last) fail("{}: frame {} asked for, but only {} frames decode", path, last, decoded);
  std::vector<DecodedImage> images;
  images.reserve(frames.size());
  for (int64_t f : frames) images.push_back(wanted.at(f));
  return images;
}

}  // namespace gaze
#endif
