# A thin wrapper: Meson builds, scripts/ does the rest.
.PHONY: run check build clean bench fuzz

run:
	scripts/run.sh

check:
	scripts/check.sh

build:
	scripts/deps.sh build
	scripts/build.sh build

bench:
	bench/run.sh

fuzz:
	scripts/deps.sh test
	scripts/fuzz.sh $(SECONDS)

clean:
	rm -rf build build-asan build-fuzz
