// Copyright (c) Microsoft Corporation.
// SPDX-License-Identifier: MIT
// This file is part of the Spartan2 project.
// See the LICENSE file in the project root for full license information.
// Source repository: https://github.com/Microsoft/Spartan2

//! This module contains the definitions of polynomial types used in the Spartan SNARK.
pub mod eq;
pub mod multilinear;
pub mod power;
pub mod univariate;
