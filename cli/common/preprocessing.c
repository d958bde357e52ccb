/* preprocessing.c — a preparation's JSON (dn_dataset_prepare) in words. */
#include "common/preprocessing.h"

#include <cjson/cJSON.h>
#include <string.h>

/* "color 3 (blue, green, red)": the categories, cut after 6. */
static void print_categories(FILE *out, const char *name, const cJSON *list) {
    int n = cJSON_GetArraySize(list), k = 0;
    fprintf(out, "%s %d (", name, n);
    const cJSON *item;
    cJSON_ArrayForEach(item, list) {
        if (k == 6) {
            fprintf(out, ", ...");
            break;
        }
        fprintf(out, "%s%s", k++ ? ", " : "", cJSON_IsString(item) ? item->valuestring : "?");
    }
    fputc(')', out);
}

static void print_encoded(FILE *out, const char *prefix, const cJSON *columns) {
    int encoded = 0, width = 0, count = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, columns) {
        const cJSON *list = cJSON_GetObjectItemCaseSensitive(c, "categories");
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(c, "name");
        count++;
        width += cJSON_IsArray(list) ? cJSON_GetArraySize(list) : 1;
        if (!cJSON_IsArray(list) || !cJSON_IsString(name)) continue;
        fprintf(out, encoded++ ? ", " : "%s one-hot encoded (categories sorted, as scikit-learn's "
                "OneHotEncoder): ", prefix);
        print_categories(out, name->valuestring, list);
    }
    if (encoded) fprintf(out, "; %d inputs from %d columns\n", width, count);
}

static void print_fills(FILE *out, const char *prefix, const char *impute, const cJSON *columns) {
    int filled = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, columns) {
        const cJSON *fill = cJSON_GetObjectItemCaseSensitive(c, "fill");
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(c, "name");
        if (fill == NULL || !cJSON_IsString(name)) continue;
        if (filled++ == 0)
            fprintf(out, "%s missing cells are filled with the training rows' %s%s: ", prefix,
                    strcmp(impute, "most_frequent") == 0 ? "most frequent value" : impute,
                    strcmp(impute, "most_frequent") == 0 ? "" : " (most frequent category for "
                    "text columns)");
        else if (filled <= 12)
            fputs(", ", out);
        if (filled > 12) continue;
        if (cJSON_IsNumber(fill)) fprintf(out, "%s %.6g", name->valuestring, fill->valuedouble);
        else if (cJSON_IsString(fill)) fprintf(out, "%s \"%s\"", name->valuestring, fill->valuestring);
    }
    if (filled > 12) fprintf(out, ", ... %d more", filled - 12);
    if (filled) fputc('\n', out);
}

void cli_preprocessing_describe(FILE *out, const char *prefix, const char *json) {
    cJSON *o = json ? cJSON_Parse(json) : NULL;
    const cJSON *columns = cJSON_GetObjectItemCaseSensitive(o, "columns");
    const cJSON *impute = cJSON_GetObjectItemCaseSensitive(o, "impute");
    if (cJSON_IsArray(columns) && cJSON_IsString(impute)) {
        print_encoded(out, prefix, columns);
        print_fills(out, prefix, impute->valuestring, columns);
    }
    cJSON_Delete(o);
}
