"""Customer profiling: features, learned profile score, segments, clusters, CLV."""

from tools.profiling.api import find_customers, profile_customer, profile_weights, segment_overview
from tools.profiling.model import CustomerProfiles, build_profiles

__all__ = [
    "CustomerProfiles",
    "build_profiles",
    "find_customers",
    "profile_customer",
    "profile_weights",
    "segment_overview",
]
