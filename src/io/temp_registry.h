/* temp_registry.h — temporary files in flight, for dn_remove_temp_files (temp_registry.c). */
#ifndef DN_IO_TEMP_REGISTRY_H
#define DN_IO_TEMP_REGISTRY_H

/* Records `tmp` as a temporary file in flight, for dn_remove_temp_files. Returns a slot number
 * (>= 0), or -1 when every slot is taken (the file is then simply not cleaned on a signal). */
int dni_temp_register(const char *tmp);
/* Forgets slot `slot` (no-op for -1). */
void dni_temp_unregister(int slot);

#endif
