/* SPDX-License-Identifier: MIT
 *
 * form.c -- the XLSForm of a layer (`demine form`): the survey, choices and
 * settings sheets a programme uploads to KoboToolbox or ODK Central, written
 * from the data model (src/lib/model/model.c) so that the export of what
 * the phones collect imports into the layer with no --map.
 *
 * One question a field, named as the field; the geometry one question named
 * `geometry` (geopoint, geotrace, geoshape: the import finds a geopoint by
 * its _geometry_latitude/_geometry_longitude columns and a line or polygon
 * by the name); enums and enum sets select_one and select_multiple from a
 * list of the model's values; numeric ranges constraints; references to
 * other layers text (a hazard's ref). The labels and hints in English and
 * Azerbaijani are in the tables below; a field they lack gets its name and
 * the model's description.
 *
 * The workbook is written with GDAL's XLSX driver, one layer a sheet.
 */
#include "io_internal.h"

#include "demine/dm_form.h"
#include "demine/dm_model.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------ the words ------------------------------ */

/* A field's label and hint. layer NULL: the field of that name in any
 * layer that has no entry of its own. hint_en NULL: the model's
 * description; "": no hint. */
typedef struct label_def {
    const char *layer, *field;
    const char *en, *hint_en;
    const char *az, *hint_az;
} label_def;

static const label_def labels[] = {
    /* shared by several layers */
    {NULL, "district", "District", "", "Rayon", ""},
    {NULL, "settlement", "Nearest settlement", "", "Ən yaxın yaşayış məntəqəsi", ""},
    {NULL, "notes", "Notes", "free text", "Qeydlər", "sərbəst mətn"},
    {NULL, "hazard_id", "Hazard reference", "the hazard's reference (ref), e.g. AGD-SHA-0042",
     "Təhlükəli ərazinin nömrəsi", "təhlükəli ərazinin nömrəsi (ref), məs. AGD-SHA-0042"},
    {NULL, "activity_id", "Task reference", "the activity's reference (ref): its task number",
     "Tapşırığın nömrəsi", "fəaliyyətin nömrəsi (ref): tapşırığın nömrəsi"},
    {NULL, "record_id", "Record number", "the minefield record's number (ref)", "Sənədin nömrəsi",
     "mina sahəsi sənədinin nömrəsi (ref)"},
    {NULL, "flight_id", "Flight reference", "the flight's reference (ref)", "Uçuşun nömrəsi",
     "uçuşun nömrəsi (ref)"},
    {NULL, "sensor_id", "Sensor", "the sensor's name, as demine lists it", "Sensor",
     "sensorun adı, demine-dakı kimi"},
    {NULL, "accident_id", "Accident", "the accident's reference (ref)", "Hadisə",
     "hadisənin nömrəsi (ref)"},
    {NULL, "method", "Methods used", "", "İstifadə olunan üsullar", ""},
    {NULL, "category", "Ordnance class", "", "Sursatın növü", ""},
    {NULL, "ordnance", "Ordnance class", "", "Sursatın növü", ""},
    {NULL, "mine_type", "Mine model", "e.g. PMN-2, TM-62M", "Minanın modeli", "məs. PMN-2, TM-62M"},
    {NULL, "row_no", "Row number", "", "Sıranın nömrəsi", ""},
    {NULL, "p_detect", "Probability of detection", "0 to 1", "Aşkarlama ehtimalı",
     "0 ilə 1 arasında"},
    {NULL, "false_alarms_ha", "False alarms per hectare", "", "Hektara düşən yalançı siqnallar",
     ""},
    {NULL, "position_error_m", "Position error (m)", "1-sigma position error, metres",
     "Mövqe xətası (m)", "1-siqma mövqe xətası, metr"},

    {"organisations", "name", "Organisation name", "", "Təşkilatın adı", ""},
    {"organisations", "kind", "Kind of organisation", "", "Təşkilatın növü", ""},
    {"organisations", "country", "Country", "", "Ölkə", ""},

    {"districts", "name", "District name", "", "Rayonun adı", ""},
    {"districts", "code", "Administrative code", "", "İnzibati kod", ""},
    {"districts", "population", "Population", "people living or expected to return", "Əhali",
     "yaşayan və ya qayıdacağı gözlənilən insanlar"},

    {"hazards", "ref", "Hazard reference", "national reference, e.g. AGD-SHA-0042",
     "Təhlükəli ərazinin nömrəsi", "milli nömrə, məs. AGD-SHA-0042"},
    {"hazards", "name", "Local name", "", "Yerli adı", ""},
    {"hazards", "hazard_type", "Hazard type",
     "SHA: suspected (indirect evidence); CHA: confirmed (direct evidence)",
     "Təhlükəli ərazinin növü", "SHA: şübhəli (dolayı sübut); CHA: təsdiqlənmiş (birbaşa sübut)"},
    {"hazards", "status", "Status", "life cycle state (if left empty: open)", "Vəziyyəti",
     "həyat dövrünün mərhələsi (boş qalsa: açıq)"},
    {"hazards", "ordnance", "Ordnance", "suspected or confirmed ordnance classes",
     "Partlayıcı sursat", "şübhə edilən və ya təsdiqlənmiş sursat növləri"},
    {"hazards", "reliability", "Reliability of information", "1 (best) to 6",
     "Məlumatın etibarlılığı", "1 (ən yaxşı) – 6"},
    {"hazards", "source_grade", "Reliability of the source", "A (best) to F",
     "Mənbənin etibarlılığı", "A (ən yaxşı) – F"},
    {"hazards", "classification", "Ordnance classification", "M1 (verified) to M4 (reported)",
     "Sursatın təsnifatı", "M1 (yoxlanılmış) – M4 (bildirilmiş)"},
    {"hazards", "est_area_ha", "Estimated area (ha)", "hectares; if left empty, the outline's area",
     "Təxmini sahə (ha)", "hektar; boş qalsa, sərhədin sahəsi"},
    {"hazards", "remaining_area_ha", "Remaining area (ha)", "area still to release, hectares",
     "Qalan sahə (ha)", "hələ azad edilməli olan sahə, hektar"},
    {"hazards", "organisation", "Organisation", "reporting organisation", "Təşkilat",
     "məlumat verən təşkilat"},
    {"hazards", "reported_date", "Date first reported", "", "İlk məlumat tarixi", ""},

    {"hazard_status", "date", "Date of the change", "", "Dəyişikliyin tarixi", ""},
    {"hazard_status", "from_status", "Status before", "", "Əvvəlki vəziyyət", ""},
    {"hazard_status", "to_status", "Status after", "", "Yeni vəziyyət", ""},
    {"hazard_status", "reason", "Reason", "why", "Səbəb", "nə üçün"},

    {"activities", "ref", "Task reference", "", "Tapşırığın nömrəsi", ""},
    {"activities", "activity_type", "Type of activity", "", "Fəaliyyətin növü", ""},
    {"activities", "start_date", "Start date", "", "Başlama tarixi", ""},
    {"activities", "end_date", "End date", "", "Bitmə tarixi", ""},
    {"activities", "organisation", "Organisation", "organisation doing the work", "Təşkilat",
     "işi görən təşkilat"},
    {"activities", "hazard_id", "Hazard reference",
     "the main hazard worked on: its reference (ref), e.g. AGD-SHA-0042",
     "Təhlükəli ərazinin nömrəsi",
     "üzərində işlənən əsas təhlükəli ərazinin nömrəsi (ref), məs. AGD-SHA-0042"},
    {"activities", "area_cancelled_ha", "Area cancelled (ha)", "hectares", "Ləğv edilmiş sahə (ha)",
     "hektar"},
    {"activities", "area_reduced_ha", "Area reduced (ha)", "hectares", "Azaldılmış sahə (ha)",
     "hektar"},
    {"activities", "area_cleared_ha", "Area cleared (ha)", "hectares", "Təmizlənmiş sahə (ha)",
     "hektar"},
    {"activities", "depth_cm", "Clearance depth (cm)", "", "Təmizləmə dərinliyi (sm)", ""},
    {"activities", "status", "Review state", "of a field report (if left empty: approved)",
     "Baxış vəziyyəti", "sahə hesabatının (boş qalsa: təsdiqlənib)"},
    {"activities", "inspects_id", "Task inspected",
     "quality control: the reference (ref) of the clearance or survey this inspection checks",
     "Yoxlanılan tapşırıq",
     "keyfiyyətə nəzarət: bu yoxlamanın yoxladığı təmizləmə və ya tədqiqatın nömrəsi (ref)"},

    {"release_areas", "outcome", "Outcome", "land release route", "Nəticə",
     "ərazinin azad edilmə yolu"},
    {"release_areas", "date", "Date released", "", "Azad edilmə tarixi", ""},
    {"release_areas", "depth_cm", "Search depth (cm)", "", "Axtarış dərinliyi (sm)", ""},
    {"release_areas", "activity_id", "Task reference",
     "the activity that released it: its reference (ref), the task number", "Tapşırığın nömrəsi",
     "ərazini azad edən fəaliyyətin nömrəsi (ref): tapşırığın nömrəsi"},
    {"release_areas", "hazard_id", "Hazard reference",
     "the hazard it belonged to: its reference (ref), e.g. AGD-SHA-0042",
     "Təhlükəli ərazinin nömrəsi",
     "aid olduğu təhlükəli ərazinin nömrəsi (ref), məs. AGD-SHA-0042"},

    {"items", "category", "Ordnance class", "", "Sursatın növü", ""},
    {"items", "model", "Model", "e.g. PMN-2, TM-62M", "Modeli", "məs. PMN-2, TM-62M"},
    {"items", "condition", "Condition", "", "Vəziyyəti", ""},
    {"items", "depth_cm", "Depth (cm)", "below the surface", "Dərinlik (sm)",
     "yer səthindən aşağı"},
    {"items", "fate", "What was done with it", "", "Onunla nə edildi", ""},
    {"items", "found_date", "Date found", "", "Tapılma tarixi", ""},
    {"items", "activity_id", "Task reference",
     "the activity that found it: its reference (ref), the task number", "Tapşırığın nömrəsi",
     "onu tapan fəaliyyətin nömrəsi (ref): tapşırığın nömrəsi"},
    {"items", "hazard_id", "Hazard reference",
     "the hazard it was in: its reference (ref), e.g. AGD-SHA-0042", "Təhlükəli ərazinin nömrəsi",
     "olduğu təhlükəli ərazinin nömrəsi (ref), məs. AGD-SHA-0042"},
    {"items", "quantity", "Number of items", "at this point (if left empty: 1)", "Sursatın sayı",
     "bu nöqtədə (boş qalsa: 1)"},

    {"accidents", "ref", "Accident reference", "unique for each accident, e.g. IMSMA's accident id",
     "Hadisənin nömrəsi", "hər hadisə üçün fərqli"},
    {"accidents", "date", "Date of the accident", "", "Hadisənin tarixi", ""},
    {"accidents", "device", "Device", "e.g. PMN-2", "Qurğu", "məs. PMN-2"},
    {"accidents", "activity_at_time", "What the victims were doing", "",
     "Zərərçəkənlər nə ilə məşğul idi", ""},
    {"accidents", "killed", "People killed", "", "Həlak olanların sayı", ""},
    {"accidents", "injured", "People injured", "", "Yaralananların sayı", ""},
    {"accidents", "demining", "Demining accident", "deminers at work",
     "Minatəmizləmə zamanı hadisə", "iş zamanı minaaxtaranlar"},

    {"victims", "name", "Name", "personal data", "Adı", "şəxsi məlumat"},
    {"victims", "sex", "Sex", "", "Cinsi", ""},
    {"victims", "age_group", "Age group", "", "Yaş qrupu", ""},
    {"victims", "age", "Age (years)", "personal data", "Yaşı", "şəxsi məlumat"},
    {"victims", "category", "Category", "", "Kateqoriya", ""},
    {"victims", "outcome", "Killed or injured", "", "Həlak olub, yoxsa yaralanıb", ""},
    {"victims", "activity", "Activity at the time", "", "Hadisə anında nə edirdi", ""},

    /* risk education sessions; the Azerbaijani of these awaits a native
     * speaker's review */
    {"eore_sessions", "date", "Date of the session", "", "Sessiyanın tarixi", ""},
    {"eore_sessions", "organisation", "Organisation", "the organisation that held it", "Təşkilat",
     "sessiyanı keçirən təşkilat"},
    {"eore_sessions", "settlement", "Settlement", "where the session was held, as the map names it",
     "Yaşayış məntəqəsi", "sessiyanın keçirildiyi yer, xəritədəki adı ilə"},
    {"eore_sessions", "delivery", "How it was given", "", "Necə keçirildi", ""},
    {"eore_sessions", "men", "Men reached", "18 and over", "Kişilər", "18 yaş və yuxarı"},
    {"eore_sessions", "women", "Women reached", "18 and over", "Qadınlar", "18 yaş və yuxarı"},
    {"eore_sessions", "boys", "Boys reached", "under 18", "Oğlanlar", "18 yaşdan aşağı"},
    {"eore_sessions", "girls", "Girls reached", "under 18", "Qızlar", "18 yaşdan aşağı"},

    {"records", "ref", "Record number", "", "Sənədin nömrəsi", ""},
    {"records", "source", "Source", "who handed it over, or laid the field", "Mənbə",
     "sənədi təhvil verən və ya sahəni minalayan"},
    {"records", "laid_date", "Date laid", "", "Minalanma tarixi", ""},
    {"records", "handed_over", "Date handed over", "", "Təhvil verilmə tarixi", ""},
    {"records", "mine_types", "Mine types and counts", "e.g. TM-62:40;PMN-2:120",
     "Minaların növləri və sayı", "məs. TM-62:40;PMN-2:120"},
    {"records", "mines_at", "Anti-tank mines recorded", "", "Qeydə alınmış tank əleyhinə minalar",
     ""},
    {"records", "mines_ap", "Anti-personnel mines recorded", "",
     "Qeydə alınmış piyada əleyhinə minalar", ""},
    {"records", "ref_x", "Reference point longitude", "degrees", "İstinad nöqtəsinin uzunluğu",
     "dərəcə"},
    {"records", "ref_y", "Reference point latitude", "degrees", "İstinad nöqtəsinin enliyi",
     "dərəcə"},

    {"record_rows", "count", "Mines in the row", "", "Sıradakı minaların sayı", ""},
    {"record_rows", "spacing_m", "Spacing (m)", "between mines", "Aralıq (m)", "minalar arasında"},

    {"features", "class", "Feature class", "", "Obyektin növü", ""},
    {"features", "name", "Name", "", "Adı", ""},
    {"features", "subtype", "Finer class", "e.g. primary road", "Dəqiq növü", "məs. əsas yol"},
    {"features", "population", "Population", "people (settlements)", "Əhali",
     "insanlar (yaşayış məntəqələri)"},
    {"features", "returning", "People waiting to return", "displaced people waiting to return",
     "Qayıtmağı gözləyənlər", "qayıtmağı gözləyən məcburi köçkünlər"},
    {"features", "cleared", "Verified clear", "roads", "Təmizliyi yoxlanılıb", "yollar"},

    {"events", "kind", "Kind of evidence", "", "Sübutun növü", ""},
    {"events", "date", "Date", "", "Tarix", ""},
    {"events", "code", "Source event code", "the source's code of the event type",
     "Mənbədəki hadisə kodu", "mənbədə hadisə növünün kodu"},
    {"events", "department", "Region", "", "Bölgə", ""},
    {"events", "municipality", "Municipality", "", "Bələdiyyə", ""},
    {"events", "source", "Source", "where it came from", "Mənbə", "haradan gəlib"},

    {"sensors", "name", "Sensor name", "e.g. DJI-M300-H20T thermal", "Sensorun adı",
     "məs. DJI-M300-H20T termal"},
    {"sensors", "kind", "Sensing principle", "", "İş prinsipi", ""},
    {"sensors", "classes_seen", "Ordnance classes it can detect", "cameras: surface items only",
     "Aşkar edə bildiyi sursat növləri", "kameralar: yalnız səthdəki sursat"},
    {"sensors", "surface_only", "Sees surface items only", "", "Yalnız səthdəki sursatı görür", ""},
    {"sensors", "p_detect", "Probability of detection", "of an item it can see, 0 to 1",
     "Aşkarlama ehtimalı", "görə bildiyi sursat üçün, 0 ilə 1 arasında"},
    {"sensors", "false_alarms_ha", "False alarms per hectare", "per hectare flown",
     "Hektara düşən yalançı siqnallar", "uçulan hər hektara"},

    {"sensor_rates", "n_validation", "Validation items", "items behind the estimate",
     "Yoxlama nümunələri", "qiymətləndirmənin əsaslandığı nümunələr"},

    {"flights", "ref", "Flight reference", "unique for each flight", "Uçuşun nömrəsi",
     "hər uçuş üçün təkrarsız"},
    {"flights", "date", "Date flown", "", "Uçuş tarixi", ""},
    {"flights", "altitude_m", "Altitude above ground (m)", "", "Yerdən hündürlük (m)", ""},
    {"flights", "gsd_cm", "Ground sample distance (cm)", "", "Yerdə piksel ölçüsü (sm)", ""},
    {"flights", "organisation", "Operator", "", "Operator", ""},

    {"detections", "confidence", "Detector confidence", "0 to 1", "Detektorun əminliyi",
     "0 ilə 1 arasında"},
    {"detections", "model_version", "Detector model and version", "",
     "Detektorun modeli və versiyası", ""},
    {"detections", "date", "Date", "", "Tarix", ""},
};

/* A value's label; field NULL: the value in any list without its own. */
typedef struct value_def {
    const char *field, *value, *en, *az;
} value_def;

static const value_def values[] = {
    {NULL, "national", "National authority", "Milli qurum"},
    {NULL, "ngo", "Non-governmental organisation", "Qeyri-hökumət təşkilatı"},
    {NULL, "commercial", "Commercial company", "Kommersiya şirkəti"},
    {NULL, "military", "Military", "Hərbi qurum"},
    {"category", "military", "Military", "Hərbçi"},
    {NULL, "un", "United Nations", "BMT"},
    {NULL, "other", "Other", "Digər"},
    {NULL, "unknown", "Unknown", "Məlum deyil"},
    {NULL, "SHA", "Suspected hazardous area (SHA)", "Şübhəli təhlükəli ərazi (SHA)"},
    {NULL, "CHA", "Confirmed hazardous area (CHA)", "Təsdiqlənmiş təhlükəli ərazi (CHA)"},
    {NULL, "open", "Open", "Açıq"},
    {NULL, "partly_released", "Partly released", "Qismən azad edilib"},
    {NULL, "closed", "Closed", "Bağlanıb"},
    {NULL, "handed_over", "Handed over", "Təhvil verilib"},
    {NULL, "AP", "Anti-personnel mine (AP)", "Piyada əleyhinə mina (AP)"},
    {NULL, "AT", "Anti-tank mine (AT)", "Tank əleyhinə mina (AT)"},
    {NULL, "UXO", "Unexploded ordnance (UXO)", "Partlamamış hərbi sursat (UXO)"},
    {NULL, "AXO", "Abandoned explosive ordnance (AXO)", "Tərk edilmiş partlayıcı sursat (AXO)"},
    {NULL, "IED", "Improvised explosive device (IED)", "Əldəqayırma partlayıcı qurğu (IED)"},
    {NULL, "SUB", "Submunition (SUB)", "Kaset sursatının elementi (SUB)"},
    {NULL, "A", "A: completely reliable", "A: tam etibarlı"},
    {NULL, "B", "B: usually reliable", "B: adətən etibarlı"},
    {NULL, "C", "C: fairly reliable", "C: kifayət qədər etibarlı"},
    {NULL, "D", "D: not usually reliable", "D: adətən etibarsız"},
    {NULL, "E", "E: unreliable", "E: etibarsız"},
    {NULL, "F", "F: reliability cannot be judged", "F: etibarlılığı qiymətləndirilə bilməz"},
    {NULL, "M1", "M1: verified", "M1: yoxlanılmış"},
    {NULL, "M2", "M2", "M2"},
    {NULL, "M3", "M3", "M3"},
    {NULL, "M4", "M4: reported", "M4: bildirilmiş"},
    {NULL, "nts", "Non-technical survey", "Qeyri-texniki tədqiqat"},
    {NULL, "ts", "Technical survey", "Texniki tədqiqat"},
    {NULL, "clearance", "Clearance", "Təmizləmə"},
    {NULL, "eod", "EOD spot task", "Partlayıcı sursatın zərərsizləşdirilməsi (EOD)"},
    {NULL, "bac", "Battle area clearance", "Döyüş ərazisinin təmizlənməsi"},
    {NULL, "completion", "Completion", "Tamamlanma"},
    {NULL, "handover", "Handover", "Təhvil"},
    {NULL, "qc", "Quality control (post-clearance inspection)", "Keyfiyyətə nəzarət (təmizləmədən sonra yoxlama)"},
    {NULL, "manual", "Manual", "Əl ilə"},
    {NULL, "mechanical", "Mechanical", "Mexaniki"},
    {NULL, "dogs", "Mine detection dogs", "Mina axtaran itlər"},
    {NULL, "drone", "Drone", "Dron"},
    {NULL, "magnetometer", "Magnetometer", "Maqnitometr"},
    {NULL, "visual", "Visual", "Vizual"},
    {NULL, "interview", "Interview", "Müsahibə"},
    {NULL, "records", "Records", "Sənədlər"},
    {NULL, "draft", "Draft", "Qaralama"},
    {NULL, "approved", "Approved", "Təsdiqlənib"},
    {NULL, "rejected", "Rejected", "Rədd edilib"},
    {NULL, "cancelled", "Cancelled", "Ləğv edilib"},
    {NULL, "reduced", "Reduced", "Azaldılıb"},
    {NULL, "cleared", "Cleared", "Təmizlənib"},
    {NULL, "armed", "Armed", "Döyüş vəziyyətində"},
    {NULL, "unarmed", "Unarmed", "Döyüş vəziyyətində deyil"},
    {NULL, "damaged", "Damaged", "Zədələnib"},
    {NULL, "destroyed_in_situ", "Destroyed in situ", "Yerində məhv edilib"},
    {NULL, "removed", "Removed", "Götürülüb"},
    {NULL, "demolished", "Demolished", "Partladılıb"},
    {NULL, "stored", "Stored", "Anbara verilib"},
    {NULL, "female", "Female", "Qadın"},
    {NULL, "male", "Male", "Kişi"},
    {NULL, "child", "Child", "Uşaq"},
    {NULL, "adult", "Adult", "Yetkin"},
    {NULL, "elderly", "Elderly", "Yaşlı"},
    {NULL, "civilian", "Civilian", "Mülki şəxs"},
    {NULL, "deminer", "Deminer", "Minaaxtaran"},
    {NULL, "killed", "Killed", "Həlak olub"},
    {NULL, "injured", "Injured", "Yaralanıb"},
    {NULL, "road", "Road", "Yol"},
    {NULL, "track", "Track", "Cığır"},
    {NULL, "building", "Building", "Bina"},
    {NULL, "house", "House", "Ev"},
    {NULL, "bridge", "Bridge", "Körpü"},
    {NULL, "cemetery", "Cemetery", "Qəbiristanlıq"},
    {NULL, "river", "River", "Çay"},
    {NULL, "canal", "Canal", "Kanal"},
    {NULL, "settlement", "Settlement", "Yaşayış məntəqəsi"},
    /* the ways of giving risk education (eore_sessions.delivery); the
     * Azerbaijani awaits a native speaker's review */
    {"delivery", "session", "Public session", "İctimai sessiya"},
    {"delivery", "school", "At a school", "Məktəbdə"},
    {"delivery", "door_to_door", "Door to door", "Ev-ev gəzərək"},
    {"delivery", "community_leaders", "Through community leaders", "İcma liderləri vasitəsilə"},
    {"delivery", "media", "Media (radio, TV, social media)", "Media (radio, televiziya, sosial şəbəkələr)"},
    {"delivery", "other", "Other", "Digər"},
    {NULL, "front_line", "Front line", "Cəbhə xətti"},
    {NULL, "military_position", "Military position", "Hərbi mövqe"},
    {NULL, "farmland", "Farmland", "Əkin sahəsi"},
    {NULL, "pasture", "Pasture", "Otlaq"},
    {NULL, "irrigation", "Irrigation", "Suvarma"},
    {NULL, "school", "School", "Məktəb"},
    {NULL, "infrastructure", "Infrastructure", "İnfrastruktur"},
    {NULL, "accident", "Accident", "Hadisə"},
    {NULL, "item", "Item found", "Tapılmış sursat"},
    {NULL, "suspected", "Suspected place", "Şübhəli yer"},
    {NULL, "report", "Report", "Məlumat"},
    {NULL, "detection", "Detection", "Aşkarlama"},
    {NULL, "rgb", "RGB camera", "RGB kamera"},
    {NULL, "multispectral", "Multispectral camera", "Multispektral kamera"},
    {NULL, "thermal", "Thermal camera", "Termal kamera"},
    {NULL, "gpr", "Ground-penetrating radar", "Yeraltı radar (GPR)"},
    {NULL, "lidar", "Lidar", "Lidar"},
    {NULL, "yes", "Yes", "Bəli"},
    {NULL, "no", "No", "Xeyr"},
};

/* The layers' titles in Azerbaijani. */
static const struct {
    const char *layer, *az;
} titles_az[] = {
    {"organisations", "Təşkilatlar"},
    {"districts", "Rayonlar"},
    {"hazards", "Təhlükəli ərazilər (SHA/CHA)"},
    {"hazard_status", "Təhlükəli ərazilərin vəziyyət dəyişiklikləri"},
    {"activities", "Fəaliyyətlər"},
    {"activity_hazards", "Fəaliyyətlə təhlükəli ərazinin əlaqəsi"},
    {"release_areas", "Azad edilmiş ərazilər"},
    {"items", "Tapılmış partlayıcı sursat"},
    {"accidents", "Mina hadisələri"},
    {"victims", "Zərərçəkənlər"},
    {"eore_sessions", "Partlayıcı sursat təhlükəsi barədə maarifləndirmə sessiyaları"}, /* awaits review */
    {"records", "Mina sahələrinin sənədləri"},
    {"record_rows", "Mina sahəsi sənədinin sıraları"},
    {"record_mines", "Mina sahəsi sənədinin minaları"},
    {"features", "Xəritə obyektləri"},
    {"events", "Sübut nöqtələri"},
    {"sensors", "Sensorlar"},
    {"sensor_rates", "Sursat növünə görə sensor göstəriciləri"},
    {"flights", "Sensor uçuşları"},
    {"detections", "Sensor aşkarlamaları"},
};

/* A layer's form holds these children as a repeat group, named as the
 * child layer; the child's link field is left out (the import takes it
 * from the export's _submission__uuid). */
static const struct {
    const char *parent, *child, *link, *en, *az;
} repeats[] = {
    {"accidents", "victims", "accident_id", "Victims", "Zərərçəkənlər"},
};

/* Fields a team does not fill in, besides the computed ones. */
static const struct {
    const char *layer, *field, *why;
} office_fields[] = {
    {"activities", "status",
     "the review state, set when the report is reviewed (import with "
     "--set status=draft to review the reports)"},
};

/* The geometry question of each kind: its label and hint. */
static const struct {
    const char *type, *en, *hint_en, *az, *hint_az;
} geo[] = {
    {"geopoint", "Location", "stand at the place and record the GPS position", "Yer",
     "yerin üstündə durun və GPS mövqeyini qeyd edin"},
    {"geotrace", "Line", "walk the line, or draw it on the map", "Xətt",
     "xətt boyunca gedin və ya onu xəritədə çəkin"},
    {"geoshape", "Outline", "walk the outline of the area, or draw it on the map", "Sərhəd",
     "ərazinin sərhədi boyunca gedin və ya onu xəritədə çəkin"},
};

static const label_def *label_of(const dm_layer_def *l, const char *field)
{
    const label_def *any = NULL;
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++) {
        if (strcmp(labels[i].field, field))
            continue;
        if (labels[i].layer && !strcmp(labels[i].layer, l->name))
            return &labels[i];
        if (!labels[i].layer)
            any = &labels[i];
    }
    return any;
}

static const value_def *value_of(const char *field, const char *value)
{
    const value_def *any = NULL;
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        if (strcmp(values[i].value, value))
            continue;
        if (values[i].field && !strcmp(values[i].field, field))
            return &values[i];
        if (!values[i].field)
            any = &values[i];
    }
    return any;
}

/* ------------------------------- sheets ------------------------------- */

/* A sheet as text cells, row by row (NULL: an empty cell). */
typedef struct sheet {
    const char *name;
    const char *cols[16];
    size_t ncols, nrows, cap;
    char **cell;
    int oom;
} sheet;

static int col_of(const sheet *t, const char *col)
{
    for (size_t i = 0; i < t->ncols; i++)
        if (!strcmp(t->cols[i], col))
            return (int)i;
    return -1;
}

static void add_col(sheet *t, const char *col)
{
    if (t->ncols < sizeof t->cols / sizeof t->cols[0])
        t->cols[t->ncols++] = col;
}

/* Start a row: its cells are set with put(). */
static void new_row(sheet *t)
{
    if (t->oom)
        return;
    if (t->nrows == t->cap) {
        size_t nc = t->cap ? 2 * t->cap : 32;
        char **c = realloc(t->cell, nc * t->ncols * sizeof *c);
        if (!c) {
            t->oom = 1;
            return;
        }
        t->cell = c;
        t->cap = nc;
    }
    memset(t->cell + t->nrows * t->ncols, 0, t->ncols * sizeof *t->cell);
    t->nrows++;
}

/* Set column col of the last row to v (nothing for NULL or "", or a
 * column the sheet does not have). */
static void put(sheet *t, const char *col, const char *v)
{
    int c = col_of(t, col);
    if (t->oom || c < 0 || !t->nrows || !v || !*v)
        return;
    char **slot = &t->cell[(t->nrows - 1) * t->ncols + (size_t)c];
    free(*slot);
    if (!(*slot = strdup(v)))
        t->oom = 1;
}

static void sheet_free(sheet *t)
{
    for (size_t i = 0; i < t->nrows * t->ncols; i++)
        free(t->cell[i]);
    free(t->cell);
}

/* ------------------------------- the form ------------------------------- */

#define LANG_EN "English (en)"
#define LANG_AZ "Azərbaycanca (az)"

typedef struct form {
    dm_ctx *ctx;
    dm_form_lang lang;
    sheet survey, choices, settings;
    const char *list_values[64], *list_names[64]; /* lists written: their values, names */
    size_t n_lists;
    int questions;
    dm_form_result *res;
} form;

/* Put a text in English and Azerbaijani into column col ("label",
 * "hint"), as the form's languages want: col itself in a form of one
 * language, col::English (en) and col::Azərbaycanca (az) in one of both.
 * No Azerbaijani: the English. */
static void put_text(form *f, sheet *t, const char *col, const char *en, const char *az)
{
    if (!az || !*az)
        az = en;
    if (f->lang != DM_FORM_BOTH) {
        put(t, col, f->lang == DM_FORM_AZ ? az : en);
        return;
    }
    char c[64];
    snprintf(c, sizeof c, "%s::%s", col, LANG_EN);
    put(t, c, en);
    snprintf(c, sizeof c, "%s::%s", col, LANG_AZ);
    put(t, c, az);
}

/* A number as XPath writes it: no exponent (1e+07 is no XPath number). */
static void xpath_num(char *out, size_t n, double v)
{
    if (v == floor(v) && fabs(v) < 1e15)
        snprintf(out, n, "%.0f", v);
    else
        snprintf(out, n, "%.10g", v);
}

/* The list of choices of f's values: the name of a list already written
 * with the same values, or a new one named after the field. NULL when out
 * of room. */
static const char *list_for(form *fm, const dm_field_def *fd)
{
    const char *vals = fd->type == DM_FT_BOOL ? "yes|no" : fd->values;
    for (size_t i = 0; i < fm->n_lists; i++)
        if (!strcmp(fm->list_values[i], vals))
            return fm->list_names[i];
    if (fm->n_lists == sizeof fm->list_values / sizeof fm->list_values[0])
        return NULL;
    const char *name = fd->type == DM_FT_BOOL ? "yes_no" : fd->name;
    fm->list_values[fm->n_lists] = vals;
    fm->list_names[fm->n_lists++] = name;
    fm->res->lists++;
    for (const char *p = vals; *p;) {
        size_t k = strcspn(p, "|");
        char v[64];
        snprintf(v, sizeof v, "%.*s", (int)(k < sizeof v ? k : sizeof v - 1), p);
        const value_def *vd = value_of(fd->name, v);
        new_row(&fm->choices);
        put(&fm->choices, "list_name", name);
        put(&fm->choices, "name", v);
        put_text(fm, &fm->choices, "label", vd ? vd->en : v, vd ? vd->az : v);
        fm->res->choices++;
        p += k + (p[k] == '|');
    }
    return name;
}

/* The label of field fd of layer l from its name ("est_area_ha": "Est
 * area ha"), when the tables have none. */
static void name_label(const char *name, char *out, size_t n)
{
    snprintf(out, n, "%s", name);
    for (char *p = out; *p; p++)
        if (*p == '_')
            *p = ' ';
    if (out[0] >= 'a' && out[0] <= 'z')
        out[0] = (char)(out[0] - 'a' + 'A');
}

/* ----------------------- the words, for the import ----------------------- */

/* The labels the form gives a field, a choice and the geometry, which a
 * KoboToolbox export downloaded with its default settings has for headers
 * and values (io_internal.h). */

void dm__form_field_label(const dm_layer_def *l, const dm_field_def *fd, const char **en,
                          const char **az, char *buf, size_t n)
{
    const label_def *ld = label_of(l, fd->name);
    name_label(fd->name, buf, n);
    *en = ld ? ld->en : buf;
    *az = ld && ld->az && *ld->az ? ld->az : *en; /* as put_text writes it */
}

void dm__form_choice_label(const dm_field_def *fd, const char *value, const char **en,
                           const char **az)
{
    const value_def *vd = value_of(fd->name, value);
    *en = vd ? vd->en : value;
    *az = vd && vd->az && *vd->az ? vd->az : *en;
}

int dm__form_geometry_label(size_t k, const char **type, const char **en, const char **az)
{
    if (k >= sizeof geo / sizeof geo[0])
        return 0;
    *type = geo[k].type;
    *en = geo[k].en;
    *az = geo[k].az;
    return 1;
}

/* Dates a team may know only to the month or the year: an accident or an
 * event told years later. The form asks how well the date is known, then
 * the date with the phone's day, month-year or year picker, and
 * calculates the field from it: "2021-05-14", "2021-05" or "2021", which
 * the import stores as the first day with a warning, as from any file. */
static const struct { const char *layer, *field; } approx_dates[] = {
    {"accidents", "date"}, {"events", "date"}};

/* The helper questions of an approximate date `f`: f_known (how well),
 * and f_day, f_month, f_year (the pickers). */
static const struct { const char *suffix, *en, *az, *appearance; } approx_parts[] = {
    {"_known", "How well is the date known?", "Tarix nə dərəcədə dəqiq məlumdur?", NULL},
    {"_day", " (day, month and year)", " (gün, ay və il)", NULL}, /* after the field's label */
    {"_month", "Month and year (the day not known)", "Ay və il (gün məlum deyil)", "month-year"},
    {"_year", "Year (the day and month not known)", "İl (gün və ay məlum deyil)", "year"}};

static const struct { const char *name, *en, *az; } approx_choices[] = {
    {"day", "To the day", "Gün dəqiqliyi ilə"},
    {"month", "The month only", "Yalnız ay"},
    {"year", "The year only", "Yalnız il"}};

static int is_approx_date(const dm_layer_def *l, const dm_field_def *fd)
{
    for (size_t i = 0; fd->type == DM_FT_DATE && i < sizeof approx_dates / sizeof approx_dates[0]; i++)
        if (!strcmp(approx_dates[i].layer, l->name) && !strcmp(approx_dates[i].field, fd->name))
            return 1;
    return 0;
}

int dm__form_date_helper(const dm_layer_def *l, const char *header)
{
    for (size_t i = 0; i < l->n_fields; i++) {
        const dm_field_def *fd = &l->fields[i];
        if (!is_approx_date(l, fd))
            continue;
        size_t n = strlen(fd->name);
        for (size_t k = 0; k < sizeof approx_parts / sizeof approx_parts[0]; k++) {
            if (!strncasecmp(header, fd->name, n) && !dm__strcasecmp(header + n, approx_parts[k].suffix))
                return 1;
            /* a KoboToolbox export with labels for headers */
            if (k != 1 && (!dm__strcasecmp(header, approx_parts[k].en) ||
                           !dm__strcasecmp(header, approx_parts[k].az)))
                return 1;
            size_t hl = strlen(header), se = strlen(approx_parts[k].en), sa = strlen(approx_parts[k].az);
            if (k == 1 && ((hl > se && !dm__strcasecmp(header + hl - se, approx_parts[k].en)) ||
                           (hl > sa && !dm__strcasecmp(header + hl - sa, approx_parts[k].az))))
                return 1;
        }
    }
    return 0;
}

/* The questions of approximate date fd: how well it is known, a picker
 * for each answer, and fd itself calculated from them. */
static void add_approx_date(form *fm, const dm_field_def *fd, const char *en, const char *az,
                            const char *hint_en, const char *hint_az)
{
    sheet *s = &fm->survey;
    char name[64], known[64], rel[160], calc[400];
    snprintf(known, sizeof known, "%s_known", fd->name);
    int listed = 0;
    for (size_t i = 0; i < fm->n_lists; i++)
        listed |= !strcmp(fm->list_names[i], "date_known");
    if (!listed && fm->n_lists < sizeof fm->list_values / sizeof fm->list_values[0]) {
        fm->list_values[fm->n_lists] = "day|month|year (date known)";
        fm->list_names[fm->n_lists++] = "date_known";
        fm->res->lists++;
        for (size_t k = 0; k < sizeof approx_choices / sizeof approx_choices[0]; k++) {
            new_row(&fm->choices);
            put(&fm->choices, "list_name", "date_known");
            put(&fm->choices, "name", approx_choices[k].name);
            put_text(fm, &fm->choices, "label", approx_choices[k].en, approx_choices[k].az);
            fm->res->choices++;
        }
    }
    int required = !!(fd->flags & DM_FIELD_REQUIRED);
    new_row(s);
    put(s, "type", "select_one date_known");
    put(s, "name", known);
    put_text(fm, s, "label", approx_parts[0].en, approx_parts[0].az);
    put_text(fm, s, "hint", "told years later: its month or its year is enough",
             "illər sonra danışılıbsa: ayı və ya ili kifayətdir");
    put(s, "required", "yes");
    put(s, "default", "day");
    put(s, "appearance", "horizontal");
    fm->questions++;
    for (size_t k = 1; k < sizeof approx_parts / sizeof approx_parts[0]; k++) {
        snprintf(name, sizeof name, "%s%s", fd->name, approx_parts[k].suffix);
        snprintf(rel, sizeof rel, "${%s} = '%s'", known, approx_choices[k - 1].name);
        new_row(s);
        put(s, "type", "date");
        put(s, "name", name);
        if (k == 1) { /* "Date of the accident (day, month and year)" */
            char lab_en[160], lab_az[160];
            snprintf(lab_en, sizeof lab_en, "%s%s", en, approx_parts[k].en);
            snprintf(lab_az, sizeof lab_az, "%s%s", az && *az ? az : en, approx_parts[k].az);
            put_text(fm, s, "label", lab_en, lab_az);
        } else
            put_text(fm, s, "label", approx_parts[k].en, approx_parts[k].az);
        if (k == 1)
            put_text(fm, s, "hint", hint_en, hint_az);
        put(s, "required", required ? "yes" : NULL);
        put(s, "relevant", rel);
        put(s, "constraint", ". <= today()");
        put_text(fm, s, "constraint_message", "not after today", "bu gündən sonra ola bilməz");
        put(s, "appearance", approx_parts[k].appearance);
        fm->questions++;
    }
    /* the field itself: 2021-05-14, 2021-05 or 2021 */
    snprintf(calc, sizeof calc,
             "if(${%s} = 'year', substr(${%s_year}, 0, 4), if(${%s} = 'month', substr(${%s_month}, 0, 7), "
             "${%s_day}))",
             known, fd->name, known, fd->name, fd->name);
    new_row(s);
    put(s, "type", "calculate");
    put(s, "name", fd->name);
    put(s, "calculation", calc);
}

/* One question for field fd of layer l. */
static dm_status add_field(form *fm, const dm_layer_def *l, const dm_field_def *fd, int in_form[],
                           size_t n_in)
{
    sheet *s = &fm->survey;
    const label_def *ld = label_of(l, fd->name);
    char label[128], type[96];
    const char *en, *az;
    dm__form_field_label(l, fd, &en, &az, label, sizeof label);
    const char *hint_en = ld && ld->hint_en ? ld->hint_en : fd->desc;
    const char *hint_az = ld && ld->hint_en   ? ld->hint_az
                          : ld && ld->hint_az ? ld->hint_az
                                              : hint_en;
    if (hint_en && !dm__strcasecmp(hint_en, en))
        hint_en = hint_az = ""; /* "district": nothing the label does not say */
    if (is_approx_date(l, fd)) {
        add_approx_date(fm, fd, en, az, hint_en, hint_az);
        return DM_OK;
    }
    const char *appearance = NULL;
    char constraint[256] = "", msg_en[128] = "", msg_az[128] = "";
    switch (fd->type) {
    case DM_FT_TEXT:
    case DM_FT_REF:
        snprintf(type, sizeof type, "text");
        if (!strcmp(fd->name, "notes") || !strcmp(fd->name, "reason"))
            appearance = "multiline";
        break;
    case DM_FT_INT:
    case DM_FT_REAL:
        snprintf(type, sizeof type, "%s", fd->type == DM_FT_INT ? "integer" : "decimal");
        if (fd->min < fd->max) {
            char lo[32], hi[32];
            xpath_num(lo, sizeof lo, fd->min);
            xpath_num(hi, sizeof hi, fd->max);
            snprintf(constraint, sizeof constraint, ". >= %s and . <= %s", lo, hi);
            snprintf(msg_en, sizeof msg_en, "must be from %s to %s", lo, hi);
            snprintf(msg_az, sizeof msg_az, "%s ilə %s arasında olmalıdır", lo, hi);
        }
        break;
    case DM_FT_DATE: {
        snprintf(type, sizeof type, "date");
        /* the import refuses dates after tomorrow, and an activity that
         * ends before it starts */
        const dm_field_def *start =
            !strcmp(fd->name, "end_date") ? dm_field_find(l, "start_date") : NULL;
        int with_start = 0;
        for (size_t k = 0; start && k < n_in; k++)
            if (&l->fields[in_form[k]] == start)
                with_start = 1;
        if (with_start) {
            snprintf(constraint, sizeof constraint,
                     ". <= today() and (${start_date} = '' or . >= ${start_date})");
            snprintf(msg_en, sizeof msg_en, "not after today, nor before the start date");
            snprintf(msg_az, sizeof msg_az,
                     "bu gündən sonra və başlama tarixindən əvvəl ola bilməz");
        } else {
            snprintf(constraint, sizeof constraint, ". <= today()");
            snprintf(msg_en, sizeof msg_en, "not after today");
            snprintf(msg_az, sizeof msg_az, "bu gündən sonra ola bilməz");
        }
        break;
    }
    case DM_FT_ENUM:
    case DM_FT_ENUMSET:
    case DM_FT_BOOL: {
        const char *list = list_for(fm, fd);
        if (!list)
            return dm__fail(fm->ctx, DM_EINTERNAL, "form: too many lists of choices");
        snprintf(type, sizeof type, "%s %s",
                 fd->type == DM_FT_ENUMSET ? "select_multiple" : "select_one", list);
        size_t n = 1;
        for (const char *p = fd->values; fd->type != DM_FT_BOOL && *p; p++)
            n += *p == '|';
        if (n > 8)
            appearance = "minimal"; /* a long list: a drop-down */
        break;
    }
    }
    new_row(s);
    put(s, "type", type);
    put(s, "name", fd->name);
    put_text(fm, s, "label", en, az);
    put_text(fm, s, "hint", hint_en, hint_az);
    put(s, "required", fd->flags & DM_FIELD_REQUIRED ? "yes" : NULL);
    put(s, "constraint", constraint);
    put_text(fm, s, "constraint_message", msg_en, msg_az);
    put(s, "appearance", appearance);
    fm->questions++;
    return DM_OK;
}

/* Is layer l one demine writes itself (no team fills it in)? The plan,
 * the demo's truth, and a layer of computed fields and references alone:
 * record matches, predicted mines (not the links of activities to
 * hazards, references alone). */
static int written_by_demine(const dm_layer_def *l)
{
    if (l->flags & (DM_LAYER_SYSTEM | DM_LAYER_TRUTH))
        return 1;
    int computed = 0;
    for (size_t i = 0; i < l->n_fields; i++) {
        if (!(l->fields[i].flags & DM_FIELD_COMPUTED) && l->fields[i].type != DM_FT_REF)
            return 0;
        computed |= !!(l->fields[i].flags & DM_FIELD_COMPUTED);
    }
    return computed;
}

static const char *office_why(const dm_layer_def *l, const char *field)
{
    for (size_t i = 0; i < sizeof office_fields / sizeof office_fields[0]; i++)
        if (!strcmp(office_fields[i].layer, l->name) && !strcmp(office_fields[i].field, field))
            return office_fields[i].why;
    return NULL;
}

static void note_left_out(form *fm, const char *what)
{
    size_t len = strlen(fm->res->left_out);
    snprintf(fm->res->left_out + len, sizeof fm->res->left_out - len, "%s%s", len ? "; " : "",
             what);
}

/* The fields of l a team records, in the model's order, into idx; the
 * others named in the result. */
static size_t default_fields(form *fm, const dm_layer_def *l, const char *link, int *idx)
{
    size_t n = 0;
    char computed[256] = "";
    for (size_t i = 0; i < l->n_fields; i++) {
        const dm_field_def *fd = &l->fields[i];
        const char *why = office_why(l, fd->name);
        if (fd->flags & DM_FIELD_COMPUTED) {
            size_t len = strlen(computed);
            snprintf(computed + len, sizeof computed - len, "%s%s", len ? ", " : "", fd->name);
        } else if (why) {
            char w[300];
            snprintf(w, sizeof w, "%s (%s)", fd->name, why);
            note_left_out(fm, w);
        } else if (link && !strcmp(fd->name, link)) {
            char w[200];
            snprintf(w, sizeof w, "%s' %s (the link: a KoboToolbox export's _submission__uuid)",
                     l->name, fd->name);
            note_left_out(fm, w);
        } else
            idx[n++] = (int)i;
    }
    if (*computed) {
        char w[300];
        snprintf(w, sizeof w, "%s%s%s (computed by demine)", link ? l->name : "", link ? "' " : "",
                 computed);
        note_left_out(fm, w);
    }
    return n;
}

/* The questions of layer l's fields idx[0..n), or of the repeat group of
 * child layer c. */
static dm_status add_fields(form *fm, const dm_layer_def *l, int *idx, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        dm_status st = add_field(fm, l, &l->fields[idx[k]], idx, n);
        if (st)
            return st;
    }
    return DM_OK;
}

static dm_status add_repeat(form *fm, size_t r, const char *relevant)
{
    const dm_layer_def *c = dm_layer_find(repeats[r].child);
    int idx[64];
    size_t n = default_fields(fm, c, repeats[r].link, idx);
    new_row(&fm->survey);
    put(&fm->survey, "type", "begin repeat");
    put(&fm->survey, "name", c->name);
    put_text(fm, &fm->survey, "label", repeats[r].en, repeats[r].az);
    put(&fm->survey, "relevant", relevant);
    dm_status st = add_fields(fm, c, idx, n);
    new_row(&fm->survey);
    put(&fm->survey, "type", "end repeat");
    dm__strlcpy(fm->res->repeat, c->name, sizeof fm->res->repeat);
    dm__strlcpy(fm->res->repeat_link, repeats[r].link, sizeof fm->res->repeat_link);
    return st;
}

static dm_status add_geometry(form *fm, const dm_layer_def *l, const char *want)
{
    const char *type = NULL;
    const char *gt = l->geom_type;
    if (!gt)
        return want ? dm__fail(fm->ctx, DM_EINVAL, "form: layer %s has no geometry (--geometry %s)",
                               l->name, want)
                    : DM_OK;
    const char *kinds[][2] = {
        {"point", "POINT"}, {"line", "LINESTRING"}, {"polygon", "MULTIPOLYGON"}};
    const char *of_layer = !strcmp(gt, "POINT")          ? "point"
                           : !strcmp(gt, "LINESTRING")   ? "line"
                           : !strcmp(gt, "MULTIPOLYGON") ? "polygon"
                                                         : NULL;
    if (want) {
        size_t k = 0;
        while (k < 3 && dm__strcasecmp(want, kinds[k][0]))
            k++;
        if (k == 3)
            return dm__fail(fm->ctx, DM_EINVAL, "form: --geometry %s: point, line or polygon",
                            want);
        if (of_layer && strcmp(of_layer, kinds[k][0]))
            return dm__fail(fm->ctx, DM_EINVAL, "form: layer %s holds %ss, not %ss (--geometry %s)",
                            l->name, of_layer, kinds[k][0], want);
        of_layer = kinds[k][0];
    }
    if (!of_layer)
        of_layer = "point"; /* a layer of any geometry: a point unless told */
    type = !strcmp(of_layer, "point")  ? "geopoint"
           : !strcmp(of_layer, "line") ? "geotrace"
                                       : "geoshape";
    size_t g = 0;
    while (strcmp(geo[g].type, type))
        g++;
    new_row(&fm->survey);
    put(&fm->survey, "type", type);
    put(&fm->survey, "name", "geometry");
    put_text(fm, &fm->survey, "label", geo[g].en, geo[g].az);
    put_text(fm, &fm->survey, "hint", geo[g].hint_en, geo[g].hint_az);
    put(&fm->survey, "required", l->geom_required ? "yes" : NULL);
    fm->questions++;
    dm__strlcpy(fm->res->geometry, type, sizeof fm->res->geometry);
    fm->res->geometry_required = l->geom_required;
    return DM_OK;
}

/* ------------------------------- writing ------------------------------- */

static dm_status write_sheet(dm_ctx *ctx, GDALDatasetH ds, const sheet *t, dm__gdal_capture *cap)
{
    OGRLayerH ol = GDALDatasetCreateLayer(ds, t->name, NULL, wkbNone, NULL);
    if (!ol)
        return dm__fail(ctx, DM_EGDAL, "form: cannot add the sheet %s: %s", t->name, cap->msg);
    for (size_t c = 0; c < t->ncols; c++) {
        OGRFieldDefnH fd = OGR_Fld_Create(t->cols[c], OFTString);
        OGRErr e = OGR_L_CreateField(ol, fd, TRUE);
        OGR_Fld_Destroy(fd);
        if (e != OGRERR_NONE)
            return dm__fail(ctx, DM_EGDAL, "form: sheet %s: cannot add the column %s: %s", t->name,
                            t->cols[c], cap->msg);
    }
    for (size_t r = 0; r < t->nrows; r++) {
        OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(ol));
        for (size_t c = 0; c < t->ncols; c++)
            if (t->cell[r * t->ncols + c])
                OGR_F_SetFieldString(f, (int)c, t->cell[r * t->ncols + c]);
        OGRErr e = OGR_L_CreateFeature(ol, f);
        OGR_F_Destroy(f);
        if (e != OGRERR_NONE)
            return dm__fail(ctx, DM_EGDAL, "form: sheet %s: cannot write row %zu: %s", t->name,
                            r + 2, cap->msg);
    }
    return DM_OK;
}

static int ends_xlsx(const char *path)
{
    size_t n = strlen(path);
    return n > 5 && !dm__strcasecmp(path + n - 5, ".xlsx");
}

static dm_status write_book(form *fm, const char *path)
{
    dm_ctx *ctx = fm->ctx;
    dm__gdal_capture cap;
    dm__gdal_begin(&cap);
    dm_status st = DM_OK;
    GDALDriverH drv = GDALGetDriverByName("XLSX");
    char part[4096];
    /* beside it, ending in .xlsx once alone: GDAL writes through
     * /vsizip/, which takes "x.xlsx" inside a path for an archive */
    snprintf(part, sizeof part, "%.*s.%ld.part.xlsx", (int)(strlen(path) - 5), path,
             (long)getpid());
    GDALDatasetH ds = drv ? GDALCreate(drv, part, 0, 0, 0, GDT_Unknown, NULL) : NULL;
    if (!ds)
        st = dm__fail(ctx, DM_EIO, "%s: cannot write: %s", path,
                      drv ? cap.msg : "GDAL has no XLSX driver");
    if (!st)
        st = write_sheet(ctx, ds, &fm->survey, &cap);
    if (!st && fm->choices.nrows)
        st = write_sheet(ctx, ds, &fm->choices, &cap);
    if (!st)
        st = write_sheet(ctx, ds, &fm->settings, &cap);
    if (ds) {
        cap.msg[0] = '\0';
        GDALClose(ds); /* the workbook is written here */
        if (cap.msg[0] && !st)
            st = dm__fail(ctx, DM_EIO, "%s: cannot write: %s", path, cap.msg);
    }
    dm__gdal_end(&cap);
    if (!st && rename(part, path) != 0)
        st = dm__fail(ctx, DM_EIO, "%s: cannot write: %s", path, strerror(errno));
    if (st)
        unlink(part);
    return st;
}

/* Split "a, b,c" into fields of l (geometry and repeat names kept apart);
 * unknown and computed names refused. */
static dm_status pick_fields(form *fm, const dm_layer_def *l, const char *list, int *idx, size_t *n,
                             int *geom_at, int *repeat_at, ssize_t rep)
{
    *n = 0;
    *geom_at = *repeat_at = -1;
    const char *p = list;
    while (*p) {
        while (*p == ' ' || *p == ',')
            p++;
        if (!*p)
            break;
        size_t k = strcspn(p, ",");
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)(k < sizeof name ? k : sizeof name - 1), p);
        for (size_t e = strlen(name); e && name[e - 1] == ' ';)
            name[--e] = '\0';
        p += k;
        int pos = (int)*n + (*geom_at >= 0) + (*repeat_at >= 0);
        if (!strcmp(name, "geometry") && l->geom_type) {
            *geom_at = pos;
            continue;
        }
        if (rep >= 0 && !strcmp(name, repeats[rep].child)) {
            *repeat_at = pos;
            continue;
        }
        const dm_field_def *fd = dm_field_find(l, name);
        char hint[600];
        if (!fd)
            return dm__fail(fm->ctx, DM_ENOTFOUND,
                            "form: --fields %s: layer %s has no field '%s'%s", list, l->name, name,
                            dm__field_hint(l, name, hint, sizeof hint));
        if (fd->flags & DM_FIELD_COMPUTED)
            return dm__fail(
                fm->ctx, DM_EINVAL,
                "form: --fields: %s of layer %s is computed by demine, not collected in the field",
                fd->name, l->name);
        for (size_t j = 0; j < *n; j++)
            if (&l->fields[idx[j]] == fd)
                return dm__fail(fm->ctx, DM_EINVAL, "form: --fields names %s twice", fd->name);
        if (*n == 64)
            return dm__fail(fm->ctx, DM_EINVAL, "form: --fields: too many fields");
        idx[(*n)++] = (int)(fd - l->fields);
    }
    if (!*n && *geom_at < 0 && *repeat_at < 0)
        return dm__fail(fm->ctx, DM_EINVAL, "form: --fields names no field");
    /* a required field left out: every row would be refused, unless the
     * import gives it (--set) */
    for (size_t i = 0; i < l->n_fields; i++) {
        const dm_field_def *fd = &l->fields[i];
        int in = 0;
        for (size_t j = 0; j < *n; j++)
            in |= idx[j] == (int)i;
        if (!in && (fd->flags & DM_FIELD_REQUIRED)) {
            size_t len = strlen(fm->res->required_missing);
            snprintf(fm->res->required_missing + len, sizeof fm->res->required_missing - len,
                     "%s%s", len ? ", " : "", fd->name);
        }
    }
    /* the geometry first, unless placed: what a phone form is for */
    if (l->geom_type && *geom_at < 0) {
        *geom_at = 0;
        if (*repeat_at >= 0)
            (*repeat_at)++;
    }
    return DM_OK;
}

dm_status dm_form_write(dm_ctx *ctx, const char *layer, const char *path, const dm_form_opts *o,
                        dm_form_result *res)
{
    dm_form_opts defaults = {0};
    dm_form_result scratch;
    if (!o)
        o = &defaults;
    if (!res)
        res = &scratch;
    memset(res, 0, sizeof *res);
    const dm_layer_def *l = dm_layer_find(layer);
    if (!l)
        return dm__unknown_layer(ctx, layer);
    res->layer = l->name;
    if (written_by_demine(l))
        return dm__fail(ctx, DM_EINVAL,
                        "form: layer %s is written by demine itself, not collected in the field",
                        l->name);
    if (!path || !ends_xlsx(path))
        return dm__fail(ctx, DM_EINVAL, "form: %s: an XLSForm is an .xlsx file",
                        path ? path : "(no path)");
    struct stat sb;
    if (!o->force && stat(path, &sb) == 0)
        return dm__fail(ctx, DM_ECONFLICT, "%s exists: give another name, or --force to replace it",
                        path);
    dm_form_lang lang = o->lang ? o->lang : DM_FORM_EN;
    if (lang != DM_FORM_EN && lang != DM_FORM_AZ && lang != DM_FORM_BOTH)
        return dm__fail(ctx, DM_EINVAL, "form: unknown language %d", (int)lang);
    /* the version: up to 10 digits, greater for a later form */
    if (o->version) {
        size_t n = strlen(o->version);
        if (!n || n > 10 || strspn(o->version, "0123456789") != n)
            return dm__fail(ctx, DM_EINVAL, "form: version '%s': up to 10 digits (YYYYMMDDNN)",
                            o->version);
        dm__strlcpy(res->version, o->version, sizeof res->version);
    } else {
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(res->version, sizeof res->version, "%Y%m%d%H", &tm);
    }
    snprintf(res->form_id, sizeof res->form_id, "demine_%s", l->name);

    form fm;
    memset(&fm, 0, sizeof fm);
    fm.ctx = ctx;
    fm.lang = lang;
    fm.res = res;
    fm.survey.name = "survey";
    fm.choices.name = "choices";
    fm.settings.name = "settings";
    add_col(&fm.survey, "type");
    add_col(&fm.survey, "name");
    const char *text_cols[] = {"label", "hint"};
    for (size_t k = 0; k < 2; k++)
        for (int az = 0; az < 2; az++)
            if (lang & (az ? DM_FORM_AZ : DM_FORM_EN))
                add_col(&fm.survey, lang == DM_FORM_BOTH
                                        ? (az ? (k ? "hint::" LANG_AZ : "label::" LANG_AZ)
                                              : (k ? "hint::" LANG_EN : "label::" LANG_EN))
                                        : text_cols[k]);
    add_col(&fm.survey, "required");
    add_col(&fm.survey, "constraint");
    if (lang == DM_FORM_BOTH) {
        add_col(&fm.survey, "constraint_message::" LANG_EN);
        add_col(&fm.survey, "constraint_message::" LANG_AZ);
    } else
        add_col(&fm.survey, "constraint_message");
    add_col(&fm.survey, "appearance");
    add_col(&fm.choices, "list_name");
    add_col(&fm.choices, "name");
    if (lang == DM_FORM_BOTH) {
        add_col(&fm.choices, "label::" LANG_EN);
        add_col(&fm.choices, "label::" LANG_AZ);
    } else
        add_col(&fm.choices, "label");
    add_col(&fm.settings, "form_title");
    add_col(&fm.settings, "form_id");
    add_col(&fm.settings, "version");
    if (lang == DM_FORM_BOTH)
        add_col(&fm.settings, "default_language");

    ssize_t rep = -1;
    for (size_t r = 0; r < sizeof repeats / sizeof repeats[0]; r++)
        if (!strcmp(repeats[r].parent, l->name))
            rep = (ssize_t)r;
    int approx = 0;
    for (size_t i = 0; i < l->n_fields; i++)
        approx |= is_approx_date(l, &l->fields[i]);
    if (rep >= 0 || approx)
        add_col(&fm.survey, "relevant");
    if (approx) {
        add_col(&fm.survey, "default");
        add_col(&fm.survey, "calculation");
    }
    int idx[64];
    size_t n = 0;
    int geom_at = 0, repeat_at = -1;
    dm_status st = DM_OK;
    if (o->fields)
        st = pick_fields(&fm, l, o->fields, idx, &n, &geom_at, &repeat_at, rep);
    else {
        n = default_fields(&fm, l, NULL, idx);
        repeat_at = rep >= 0 ? (int)n + 1 : -1;
    }
    /* when a form is started and ended: kept by the server, dropped by
     * the import */
    new_row(&fm.survey);
    put(&fm.survey, "type", "start");
    put(&fm.survey, "name", "start");
    new_row(&fm.survey);
    put(&fm.survey, "type", "end");
    put(&fm.survey, "name", "end");
    /* the victims only when someone was killed or injured, if the form
     * asks how many */
    char relevant[128] = "";
    int has_killed = 0, has_injured = 0;
    for (size_t k = 0; k < n; k++) {
        has_killed |= !strcmp(l->fields[idx[k]].name, "killed");
        has_injured |= !strcmp(l->fields[idx[k]].name, "injured");
    }
    if (has_killed && has_injured)
        snprintf(relevant, sizeof relevant, "coalesce(${killed}, 0) + coalesce(${injured}, 0) > 0");
    size_t slots = n + (geom_at >= 0) + (repeat_at >= 0);
    for (size_t pos = 0, k = 0; !st && pos < slots; pos++) {
        if ((int)pos == geom_at)
            st = add_geometry(&fm, l, o->geometry);
        else if ((int)pos == repeat_at)
            st = add_repeat(&fm, (size_t)rep, relevant);
        else
            st = add_field(&fm, l, &l->fields[idx[k++]], idx, n);
    }

    const char *title_az = NULL;
    for (size_t i = 0; i < sizeof titles_az / sizeof titles_az[0]; i++)
        if (!strcmp(titles_az[i].layer, l->name))
            title_az = titles_az[i].az;
    char title[512];
    if (o->title)
        snprintf(title, sizeof title, "%s", o->title);
    else if (lang == DM_FORM_BOTH && title_az)
        snprintf(title, sizeof title, "%s / %s", l->title, title_az);
    else
        snprintf(title, sizeof title, "%s", lang == DM_FORM_AZ && title_az ? title_az : l->title);
    new_row(&fm.settings);
    put(&fm.settings, "form_title", title);
    put(&fm.settings, "form_id", res->form_id);
    put(&fm.settings, "version", res->version);
    put(&fm.settings, "default_language", LANG_EN);
    res->questions = fm.questions;

    if (!st && (fm.survey.oom || fm.choices.oom || fm.settings.oom))
        st = dm__fail(ctx, DM_ENOMEM, "out of memory");
    if (!st)
        st = write_book(&fm, path);
    sheet_free(&fm.survey);
    sheet_free(&fm.choices);
    sheet_free(&fm.settings);
    return st;
}

const char *dm__form_repeat_link(const dm_layer_def *l)
{
    for (size_t r = 0; l && r < sizeof repeats / sizeof repeats[0]; r++)
        if (!strcmp(l->name, repeats[r].child))
            return repeats[r].link;
    return NULL;
}

int dm__form_has_repeat(const dm_layer_def *l)
{
    for (size_t r = 0; l && r < sizeof repeats / sizeof repeats[0]; r++)
        if (!strcmp(l->name, repeats[r].parent))
            return 1;
    return 0;
}
