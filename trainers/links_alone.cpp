// The program each trainers library is linked into alone (trainers/CMakeLists.txt): it runs
// nothing; that it links shows the library calls nothing in the layers above it.
int main() { return 0; }
