# Java 17 and Maven for the build; Chromium and its driver for the Web UI test (fonts-symbola
# draws the step marks of the run details); docker-registry for the image copier's tests;
# python3-venv for the Temporal CLI's install; openssh-client (ssh-keygen) signs and checks the decisions in the trust tests.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
packages=(openjdk-17-jdk-headless maven chromium chromium-driver fonts-symbola docker-registry python3 python3-venv openssh-client)
debian_packages "${packages[@]}"
first_line java -version
first_line mvn -version
first_line /usr/lib/chromium/chromium --version
first_line chromedriver --version
first_line docker-registry --version
