// The program of each link probe (CMakeLists.txt's gaze_link_probe): it calls nothing. Linked
// with one gaze library whole and only the libraries that one declares, it fails to link when
// any object of that library calls a layer it does not depend on.
int main() { return 0; }
