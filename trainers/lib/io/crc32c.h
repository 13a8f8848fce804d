// CRC-32C (Castagnoli, the polynomial 0x1EDC6F41 reflected: 0x82F63B78), the checksum of TFRecord
// files, and the "masked" form TFRecord stores (a CRC of data that itself holds CRCs is weak, so
// the stored value is rotated and offset).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace gaze {

// CRC-32C of `bytes`; the check value of "123456789" is 0xE3069283.
uint32_t crc32c(std::string_view bytes);

// TFRecord's masked CRC: ((crc >> 15) | (crc << 17)) + 0xA282EAD8.
uint32_t masked_crc32c(std::string_view bytes);

}  // namespace gaze
