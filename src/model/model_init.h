/* model_init.h — weight initialisers (model_init.c; internal). */
#ifndef DN_MODEL_MODEL_INIT_H
#define DN_MODEL_MODEL_INIT_H

#include "dropnet.h"

/* The initialiser a dense layer gets: `init`, or Keras' default for `activation` (model_init.c). */
dn_initializer dni_initializer_resolve(dn_initializer init, dn_activation activation);

/* Draws every dense kernel from its initialiser (biases stay 0); called once by compile. */
void dni_model_init_weights(dn_model *model);

#endif
