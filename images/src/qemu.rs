//! The QEMU command line: one pure function from (VM, image, network, accelerator).

use crate::accel::AccelChoice;
use crate::netns::{GuestNet, NetAttach};
use crate::vm::VmSpec;
use std::path::{Path, PathBuf};

/// How the tooling appends the guest's network configuration to the kernel command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmdlineStyle {
    /// The unikernel: `ip=ADDR/PREFIX gw=ADDR port=PORT`.
    Unikernel,
    /// The Linux guests' `/init`: `ring0db.ip=ADDR/PREFIX ring0db.gw=ADDR ring0db.port=PORT`.
    Linux,
}

/// A bootable image: what differs between the unikernel and the Linux guests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    /// Short name for messages and logs (`unikernel`, `linux`, `redis`).
    pub name: String,
    /// Kernel passed with `-kernel` (PVH ELF or bzImage).
    pub kernel: PathBuf,
    /// Initrd passed with `-initrd`.
    pub initrd: Option<PathBuf>,
    /// Base kernel command line; the network keys are appended by [`Image::cmdline_for`].
    pub cmdline: String,
    /// Which key names the network configuration uses.
    pub style: CmdlineStyle,
}

/// Base command line of the Linux guests. `panic=-1` + `-no-reboot` turns a guest panic into
/// a QEMU exit; `mitigations=off` matches the unikernel, which has none.
pub const LINUX_BASE_CMDLINE: &str = "console=ttyS0 panic=-1 quiet mitigations=off";

impl Image {
    /// The unikernel ELF (see [`crate::build::unikernel`]).
    pub fn unikernel(kernel: PathBuf) -> Self {
        Image {
            name: "unikernel".into(),
            kernel,
            initrd: None,
            cmdline: String::new(),
            style: CmdlineStyle::Unikernel,
        }
    }

    /// A Linux guest: kernel + initrd built by [`crate::build::linux_guest`].
    pub fn linux(name: &str, kernel: PathBuf, initrd: PathBuf) -> Self {
        Image {
            name: name.into(),
            kernel,
            initrd: Some(initrd),
            cmdline: LINUX_BASE_CMDLINE.into(),
            style: CmdlineStyle::Linux,
        }
    }

    /// Appends extra kernel command-line words (e.g. `ring0vm boot --append`).
    pub fn with_append(mut self, extra: &str) -> Self {
        let extra = extra.trim();
        if !extra.is_empty() {
            if !self.cmdline.is_empty() {
                self.cmdline.push(' ');
            }
            self.cmdline.push_str(extra);
        }
        self
    }

    /// The full kernel command line with the guest's network keys for `net`.
    pub fn cmdline_for(&self, net: Option<&GuestNet>) -> String {
        let mut words: Vec<String> = Vec::new();
        if !self.cmdline.is_empty() {
            words.push(self.cmdline.clone());
        }
        if let Some(n) = net {
            let prefix = match self.style {
                CmdlineStyle::Unikernel => "",
                CmdlineStyle::Linux => "ring0db.",
            };
            words.push(format!("{prefix}ip={}/{}", n.guest, n.prefix_len));
            words.push(format!("{prefix}gw={}", n.gateway));
            words.push(format!("{prefix}port={}", n.port));
        }
        words.join(" ")
    }
}

/// Builds QEMU's argument vector (without the program name). Pure: the same inputs always give
/// the same arguments, and two images differ only in `-kernel`, `-initrd` and `-append`.
/// `disk` is what QEMU's `-drive file=` names for the VM's one disk: a raw file, or a
/// `blkdebug:RULES:FILE` wrapping one (see [`crate::Disk`]).
pub fn qemu_args(
    spec: &VmSpec,
    image: &Image,
    net: &NetAttach,
    accel: &AccelChoice,
    disk: &Path,
) -> Vec<String> {
    let mut args: Vec<String> = Vec::new();
    let mut push = |a: &[&str]| args.extend(a.iter().map(|s| s.to_string()));
    push(&["-machine", &spec.machine]);
    push(&["-accel", accel.accel.qemu_name()]);
    push(&["-cpu", &spec.cpu]);
    push(&["-smp", &spec.vcpus.to_string()]);
    push(&["-m", &format!("{}M", spec.memory_mib)]);
    if !spec.firmware.is_empty() {
        push(&["-bios", &spec.firmware]);
    }
    push(&[
        "-nodefaults",
        "-no-user-config",
        "-vga",
        "none",
        "-display",
        "none",
    ]);
    push(&["-serial", "stdio", "-monitor", "none", "-parallel", "none"]);
    push(&["-no-reboot"]);
    push(&[
        "-device",
        &format!(
            "isa-debug-exit,iobase={:#x},iosize={:#x}",
            spec.debug_exit_iobase, spec.debug_exit_iosize
        ),
    ]);
    if let Some(netdev) = net.qemu_netdev() {
        push(&["-netdev", &netdev]);
        push(&[
            "-device",
            &format!(
                "{},netdev=net0,mac={},rx_queue_size={},tx_queue_size={},event_idx={}",
                spec.nic_model,
                spec.nic_mac,
                spec.nic_rx_queue_size,
                spec.nic_tx_queue_size,
                if spec.nic_event_idx { "on" } else { "off" }
            ),
        ]);
    }
    // cache=writeback: QEMU honours the guest's FLUSH with an fdatasync of the file.
    push(&[
        "-drive",
        &format!(
            "file={},format=raw,if=none,id=disk0,cache=writeback",
            // QEMU's option syntax: a comma inside a value is written twice.
            disk.to_string_lossy().replace(',', ",,")
        ),
    ]);
    push(&["-device", &format!("{},drive=disk0", spec.disk_model)]);
    push(&["-kernel", &image.kernel.to_string_lossy()]);
    if let Some(initrd) = &image.initrd {
        push(&["-initrd", &initrd.to_string_lossy()]);
    }
    let cmdline = image.cmdline_for(net.guest_net().as_ref());
    if !cmdline.is_empty() {
        push(&["-append", &cmdline]);
    }
    args.extend(spec.extra_args.iter().cloned());
    args
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accel::{AccelChoice, Accelerator};

    fn tcg() -> AccelChoice {
        AccelChoice {
            accel: Accelerator::Tcg,
            reason: "tcg: test".into(),
        }
    }

    fn images() -> Vec<Image> {
        vec![
            Image::unikernel("/o/ring0db.elf".into()),
            Image::linux(
                "linux",
                "/o/vmlinuz".into(),
                "/o/initrd-dbserver.cpio.gz".into(),
            ),
            Image::linux(
                "redis",
                "/o/vmlinuz".into(),
                "/o/initrd-redis.cpio.gz".into(),
            ),
        ]
    }

    /// Removes `-kernel`, `-initrd`, `-append` and their values.
    fn without_image_args(args: &[String]) -> Vec<String> {
        let mut out = Vec::new();
        let mut it = args.iter();
        while let Some(a) = it.next() {
            if matches!(a.as_str(), "-kernel" | "-initrd" | "-append") {
                it.next();
            } else {
                out.push(a.clone());
            }
        }
        out
    }

    #[test]
    fn all_images_boot_in_the_same_vm() {
        let spec = VmSpec::load().unwrap();
        let nets = [
            NetAttach::None,
            NetAttach::User { host_port: 16379 },
            NetAttach::UserWithSql {
                host_port: 16379,
                sql_host_port: 13306,
                agent_host_port: 17070,
            },
        ];
        for net in &nets {
            let lines: Vec<Vec<String>> = images()
                .iter()
                .map(|i| {
                    without_image_args(&qemu_args(&spec, i, net, &tcg(), Path::new("/t/disk.raw")))
                })
                .collect();
            assert_eq!(lines[0], lines[1]);
            assert_eq!(lines[1], lines[2]);
        }
    }

    #[test]
    fn command_line_has_the_shared_hardware() {
        let spec = VmSpec::load().unwrap();
        let args = qemu_args(
            &spec,
            &images()[0],
            &NetAttach::User { host_port: 16379 },
            &tcg(),
            Path::new("/t/disk.raw"),
        )
        .join(" ");
        for want in [
            "-machine pc",
            "-accel tcg",
            "-cpu max",
            "-smp 1",
            "-m 512M",
            "-bios /usr/share/qemu/qboot.rom",
            "-nodefaults",
            "-no-reboot",
            "isa-debug-exit,iobase=0xf4,iosize=0x4",
            "-netdev user,id=net0,hostfwd=tcp:127.0.0.1:16379-:6379",
            "virtio-net-pci,netdev=net0",
            "-append ip=10.0.2.15/24 gw=10.0.2.2 port=6379",
            "-drive file=/t/disk.raw,format=raw,if=none,id=disk0,cache=writeback",
            "-device virtio-blk-pci,drive=disk0",
        ] {
            assert!(args.contains(want), "missing {want:?} in {args}");
        }
    }

    #[test]
    fn user_networking_can_forward_the_sql_port() {
        let net = NetAttach::UserWithSql {
            host_port: 16379,
            sql_host_port: 13306,
            agent_host_port: 17070,
        };
        let args = qemu_args(
            &VmSpec::load().unwrap(),
            &images()[1],
            &net,
            &tcg(),
            Path::new("/t/disk.raw"),
        )
        .join(" ");
        let want =
            "user,id=net0,hostfwd=tcp:127.0.0.1:16379-:6379,hostfwd=tcp:127.0.0.1:13306-:3306,\
             hostfwd=tcp:127.0.0.1:17070-:7070";
        assert!(args.contains(want), "missing {want:?} in {args}");
        assert_eq!(
            net.sql_client_addr().unwrap().to_string(),
            "127.0.0.1:13306"
        );
        assert_eq!(NetAttach::User { host_port: 1 }.sql_client_addr(), None);
    }

    #[test]
    fn linux_keys_are_prefixed() {
        let net = GuestNet::tap_default();
        let line = images()[1].cmdline_for(Some(&net));
        assert!(line.starts_with("console=ttyS0"));
        assert!(
            line.ends_with("ring0db.ip=172.31.77.2/24 ring0db.gw=172.31.77.1 ring0db.port=6379")
        );
        let uni = images()[0]
            .clone()
            .with_append("mode=poll")
            .cmdline_for(Some(&net));
        assert_eq!(uni, "mode=poll ip=172.31.77.2/24 gw=172.31.77.1 port=6379");
    }
}
