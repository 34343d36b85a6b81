pub(crate) mod limb4;
