# vm/: `make vm-test` boots Debian's 6.1 cloud kernel with cgroup v2 only
# under QEMU (software emulation) and runs hull's cgroup v2 checks inside
# (vm/README.md). The guest is built from Debian packages and the build's
# binaries only: build/bin/hull, build/bin/hull-harness, build/rootfs.
VM_DIR   := $(BUILD)/vm
VM_GUEST := $(wildcard vm/guest/* tests/e2e/*.py tests/pylib/*.py)
# VM_E2E=1 also runs a core subset of the e2e suite in the guest (slow).
VM_E2E   ?= 0
export VM_E2E

.PHONY: vm-test vm-image vm-deps vm-force
vm-test: vm-image
	vm/run.sh $(VM_DIR)

vm-image: $(VM_DIR)/vmlinuz $(VM_DIR)/initramfs.cpio

# qemu-system-x86 and cpio are in ci/deps.sh; a machine that skipped
# `make deps` gets them here.
vm-deps:
	@command -v qemu-system-x86_64 >/dev/null && command -v cpio >/dev/null || ci/deps.sh

$(VM_DIR)/vmlinuz: vm/kernel.sh | vm-deps
	vm/kernel.sh $(VM_DIR)

# Rebuilt when VM_E2E changes.
VM_OPTIONS := $(VM_DIR)/options.stamp
$(VM_OPTIONS): vm-force
	@mkdir -p $(dir $@)
	@echo 'VM_E2E=$(VM_E2E)' | cmp -s - $@ || echo 'VM_E2E=$(VM_E2E)' > $@

$(VM_DIR)/initramfs.cpio: vm/image.sh $(VM_GUEST) $(BIN)/hull $(BIN)/hull-harness $(BUILD)/.rootfs-stamp $(VM_OPTIONS) | vm-deps
	@mkdir -p $(VM_DIR)
	vm/image.sh $(BUILD) $@
