# ipsimDependencies.cmake - HDF5 (C and high-level) and cJSON as the imported
# targets ipsim::hdf5 and ipsim::cjson, which ipsim::ipsim links. Included by
# the top-level CMakeLists.txt and, once installed, by ipsimConfig.cmake,
# each after its own search has set HDF5_HL_LIBRARIES, HDF5_C_LIBRARIES,
# HDF5_LIBRARIES (FindHDF5) and CJSON_LIBRARY and NLOPT_LIBRARY (find_library);
# NLopt as ipsim::nlopt likewise.
if(NOT TARGET ipsim::hdf5)
    add_library(ipsim::hdf5 INTERFACE IMPORTED)
    set_target_properties(ipsim::hdf5 PROPERTIES INTERFACE_LINK_LIBRARIES
        "${HDF5_HL_LIBRARIES};${HDF5_C_LIBRARIES};${HDF5_LIBRARIES}")
endif()
if(NOT TARGET ipsim::cjson)
    add_library(ipsim::cjson UNKNOWN IMPORTED)
    set_target_properties(ipsim::cjson PROPERTIES IMPORTED_LOCATION "${CJSON_LIBRARY}")
endif()
if(NOT TARGET ipsim::nlopt)
    add_library(ipsim::nlopt UNKNOWN IMPORTED)
    set_target_properties(ipsim::nlopt PROPERTIES IMPORTED_LOCATION "${NLOPT_LIBRARY}")
endif()
