/* fuzz.h - the libFuzzer entry point every tests/fuzz/fuzz_*.c defines. */
#ifndef FUZZ_H
#define FUZZ_H
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
#endif
