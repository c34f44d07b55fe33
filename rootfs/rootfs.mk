# rootfs/: the default container root filesystem in $(BUILD)/rootfs.
# Other fragments append static binaries to ROOTFS_EXTRA to have them in /bin.
ROOTFS       := $(BUILD)/rootfs
ROOTFS_STAMP := $(BUILD)/.rootfs-stamp

rootfs: $(ROOTFS_STAMP)

$(ROOTFS_STAMP): rootfs/build.sh /bin/busybox $(ROOTFS_EXTRA)
	@mkdir -p $(BUILD)
	rootfs/build.sh $(ROOTFS) $(ROOTFS_EXTRA)
	@touch $@
