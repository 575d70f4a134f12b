#ifndef DS_LEMMA_H
#define DS_LEMMA_H
#endif
