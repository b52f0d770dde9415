# Two commands set everything up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
FASHION_DIR := /usr/share/datasets/fashion-mnist

.PHONY: install demo demo-figure view browser view-screenshots bench-view bench-sample bench-startup test lint data bench bench-overhead bench-ring8 bench-modes bench-fashion bench-demo bench-versus bench-control bench-stylegan2 bench-translation bench-music bench-text2img bench-detect bench-watermark music-examples audio clean

$(VENV)/.installed: pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q -c constraints.txt -e '.[dev]'
	touch $@

install: $(VENV)/.installed

# Fashion-MNIST comes from Debian's dataset-fashion-mnist. Install it when apt can;
# otherwise say how, and the demo falls back to scikit-learn's bundled digits.
data:
	@if [ -f $(FASHION_DIR)/train-images-idx3-ubyte.gz ]; then \
	  echo "Fashion-MNIST: found in $(FASHION_DIR)"; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  (apt-get install -y -qq dataset-fashion-mnist || (apt-get update -qq && apt-get install -y -qq dataset-fashion-mnist)) \
	    || echo "Fashion-MNIST: apt could not install dataset-fashion-mnist; the demo will use scikit-learn's digits."; \
	else \
	  echo "Fashion-MNIST is not installed. Get it with:  sudo apt-get install dataset-fashion-mnist"; \
	  echo "or put the four IDX .gz files in a folder and set GANKIT_DATA=/that/folder."; \
	  echo "The demo will use scikit-learn's bundled digits instead."; \
	fi

# FluidSynth and the General MIDI soundfont render the music game's MIDI to WAV (Debian packages).
# Without them gankit still writes MIDI files and piano rolls, and says how to install them.
audio:
	@if command -v fluidsynth >/dev/null 2>&1 && [ -f /usr/share/sounds/sf2/FluidR3_GM.sf2 ]; then \
	  echo "FluidSynth and the GM soundfont: found"; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  (apt-get install -y -qq fluidsynth fluid-soundfont-gm >/dev/null || (apt-get update -qq && apt-get install -y -qq fluidsynth fluid-soundfont-gm >/dev/null)) \
	    || echo "apt could not install fluidsynth fluid-soundfont-gm: WAV tests will be skipped"; \
	else \
	  echo "FluidSynth is not installed (WAV output off). Get it with:  sudo apt-get install fluidsynth fluid-soundfont-gm"; \
	fi

demo: install data
	$(PY) -m gankit demo --out runs/demo
	@echo "Watch the game and play with the generator in your browser:  make view   (http://127.0.0.1:8765)"

# The read-only page of gankit view over RUNS (default: the demo's run folder).
RUNS ?= runs/demo
view: install
	$(PY) -m gankit view $(RUNS)

# Debian's chromium, for the browser test of gankit view (Playwright drives it; it cannot download its own).
browser:
	@if command -v chromium >/dev/null 2>&1; then \
	  echo "chromium: found"; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  (apt-get install -y -qq chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)) \
	    || echo "apt could not install chromium: the browser test of gankit view will be skipped"; \
	else \
	  echo "chromium is not installed (the browser test will be skipped). Get it with:  sudo apt-get install chromium"; \
	fi

# How fast gankit view answers each request of the page (about 2 minutes on 2 cores).
bench-view: install data
	$(PY) -m bench.view

# CPU sampling against the generator's FLOP limit, before and after the CPU form (about 2 minutes).
bench-sample: install data
	$(PY) -m bench.sample

# The command line's start-up in fresh processes, and gankit's own share of it (about a minute).
bench-startup: install data
	$(PY) -m bench.startup

# Screenshots of every view of gankit view for the README and docs/view.md (trains small runs first if needed).
view-screenshots: install browser data
	$(PY) -m scripts.view_screenshots --out docs/figures

# The picture in the README's first screen: the demo's final grid, remade from scratch.
demo-figure: install data
	rm -rf runs/demo-figure
	$(PY) -m gankit demo --out runs/demo-figure
	cp runs/demo-figure/samples/final.png docs/figures/demo.png

# ruff's short rule set (pyproject.toml) and import-linter's layers contract.
lint: install
	$(VENV)/bin/ruff check src tests bench scripts
	$(VENV)/bin/lint-imports

# pytest exits 5 when it collected no test: that is a failure here, not a pass. Two workers, one per
# core (every test runs torch on one thread); a test file stays on one worker, with its fixtures.
test: install audio browser
	$(PY) -m pytest -n 2 --dist loadfile; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing"; exit 1; fi; exit $$rc

bench: bench-overhead bench-ring8 bench-modes

bench-overhead: install
	$(PY) -m bench.overhead

# issue 2's check: the default ring8 preset on 5 seeds
bench-ring8: install
	$(PY) -m bench.modes --only ring8 --objectives none --seeds 5

# PacGAN Table 1 protocol, every objective and the recommended presets, 10 seeds (about an hour on 2 cores)
bench-modes: install
	$(PY) -m bench.modes --seeds 10

bench-fashion: install data
	$(PY) -m bench.fashion_budget

bench-demo: install data
	$(PY) -m bench.demo

bench-versus: install data
	$(PY) -m bench.versus_plain

bench-control: install data
	$(PY) -m bench.control --preset fashion-cdcgan --steps 12000

bench-translation: install data
	$(PY) -m bench.translation --preset fashion-cyclegan
	$(PY) -m bench.translation --preset fashion-pix2pix
	$(PY) -m bench.translation_folder

# issue 19's claim: SeqGAN against its own MLE-pretrained G on the chorales, 3 seeds (about 10 CPU-minutes each)
bench-music: install audio
	$(PY) -m bench.music --preset chorales-seqgan --seeds 0,1,2

# issue 20's figures: shapes-dfgan (colour, shape, R-precision) and fashion-text (held-out phrasings), ~30 CPU-minutes each
bench-text2img: install data
	$(PY) -m bench.text2img --preset shapes-dfgan
	$(PY) -m bench.text2img --preset fashion-text

# issue 21's figures: five generators trained once (~25 CPU-minutes), then both detectors on each (~40 CPU-minutes)
bench-detect: install data
	$(PY) -m bench.detect_generators
	$(PY) -m bench.detect

# the watermark's robustness, false positives and PSNR at 64 and 128 px (~3 CPU-minutes)
bench-watermark: install data
	$(PY) -m bench.watermark

# the listenable examples in docs/music/ (trains chorales-seqgan first unless bench-music left a run)
music-examples: install audio
	$(PY) scripts/music_examples.py --run bench/out/chorales-seqgan/seed0 --out docs/music

bench-stylegan2: install data
	$(PY) -m bench.stylegan2 speed
	$(PY) -m bench.stylegan2 ddp
	$(PY) -m bench.stylegan2 judge --minutes 5

clean:
	rm -rf $(VENV) runs bench/out .pytest_cache
