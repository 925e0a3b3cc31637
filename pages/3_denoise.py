"""Denoising speech: the method's DCAE and VAE and our mask net, heard and seen side by side."""

import streamlit as st

from audioml.audio import zip_files
from audioml.denoising.api import denoise_files
from audioml.denoising.peers import attenuation_limit_db
from audioml.errors import AudioMLError
from audioml.noise import NOISE_KINDS
from ui import cache
from ui import denoise as dn
from ui.common import UPLOAD_TYPES, audio_player, persistent, safe_text, upload_label, user_errors

PHASES = {"noisy": "noisy phase (the input's own)", "griffinlim": "Griffin-Lim (as the method)"}

st.title("Denoising speech")
st.markdown(
    "A denoiser hears speech in noise and keeps the speech. Three are **trained here**, on one "
    "CPU, on the Free Spoken Digit Dataset: the method's **DCAE** and **VAE**, which clean one "
    "0.55 s spectrogram image at a time, and a **mask net** of ours, which decides for every "
    "time-frequency bin how much of it is speech. Two are **pretrained elsewhere** on far more "
    "voices and noises, the production denoisers people already use: **DeepFilterNet3** and "
    "**RNNoise**. What each one heard in training is under section 4. Pick a clip, add noise, "
    "and listen.")

cards = cache.cards_or_stop("denoise", "audioml train denoiser --model masknet")
ORDER = ("dcae", "vae", "masknet", "pretrained")
names = sorted(cards, key=lambda n: (ORDER.index(dn.family(cards[n])) if dn.family(cards[n]) in ORDER
                                     else 9, n))
recommended = dn.recommended_model()

# --- 1. The clip ----------------------------------------------------------------------------
st.header("1 · The clip")
chosen = dn.choose_input()
if chosen is None:
    st.info("Upload a file or record a few words to go on; or pick an example clip.")
    st.stop()
y, sr, description, is_example = chosen
key = dn.clip_key(y)
st.caption(f"Input: {description}, {len(y) / sr:.2f} s at {sr} Hz. Every model answers at this "
           "rate; the DCAE and VAE hear it at 8 kHz and give back only the band below 4 kHz.")

# --- 2. Noise -------------------------------------------------------------------------------
st.header("2 · Noise")
# An example is clean speech; a user's own recording is taken as it is (it likely holds noise of
# its own, and adding more would make it the scoring reference).
mode = st.radio("The input is", ["clean: add noise to it", "already noisy: denoise it as it is"],
                index=0 if is_example else 1, horizontal=True,
                **persistent("dn_mode" if is_example else "dn_mode_own"))
clean, noisy, noisy_key = None, y, key
if mode.startswith("clean"):
    c1, c2 = st.columns(2)
    kind = c1.radio("Noise", NOISE_KINDS, horizontal=True, **persistent("dn_noise"),
                    help="white: flat; pink: -3 dB per octave; brown: -6 dB per octave; "
                         "hum: 50 Hz mains with harmonics")
    snr = c2.slider("Signal-to-noise ratio (dB)", -5, 20, 5, **persistent("dn_snr"),
                    help="Speech power over noise power; 0 dB means as much noise as speech.")
    with user_errors():
        clean, noisy = dn.mixed(y, key, sr, kind, float(snr))
    noisy_key = f"{key}/{kind}/{snr}"

# --- 3. Denoise -----------------------------------------------------------------------------
st.header("3 · Denoise")
# An example shows the paper's models first; a user's own recording starts with the model the
# real-world benchmark recommends.
trained_here = [n for n in names if dn.family(cards[n]) != "pretrained"]
picked = st.multiselect(
    "Models", names, default=trained_here if is_example else [recommended],
    **persistent("dn_models" if is_example else "dn_models_own"),
    format_func=lambda n: f"{n} ({'pretrained' if dn.family(cards[n]) == 'pretrained' else 'trained here'})")
if not is_example:
    st.caption(f"Recommended for your recordings: **{recommended}** (best PESQ-wb on real read "
               "sentences in real noise, `reports/denoise_realworld.json`).")
c1, c2 = st.columns(2)
phase = c1.radio("Phase of the output", list(PHASES), format_func=PHASES.get, **persistent("dn_phase"),
                 help="A magnitude alone is not a sound: it needs a phase. The noisy input's is "
                      "at hand; Griffin-Lim estimates one from the magnitude.")
strength = c2.slider("Strength (dry → wet)", 0.0, 1.0, 1.0, 0.05, **persistent("dn_strength"),
                     help="How much of the denoised clip is mixed with the input; 1 = fully "
                          "denoised. For DeepFilterNet this is its attenuation limit.")
if strength < 1:
    c2.caption(f"= an attenuation limit of {attenuation_limit_db(strength):.1f} dB")
if not picked:
    st.info("Pick at least one model.")
    st.stop()

with user_errors(), st.spinner("Denoising…"):
    outputs = {name: dn.denoised(noisy, noisy_key, sr, name, phase, float(strength))
               for name in picked}

shown = ({"clean": clean} if clean is not None else {}) | {"noisy": noisy} | outputs
keys = {"clean": key, "noisy": noisy_key} | {n: f"{noisy_key}/{n}/{phase}/{strength}" for n in outputs}


# A fragment: the loudness toggle reruns the players and pictures, not the whole page.
@st.fragment
def results(shown: dict, keys: dict, outputs: dict) -> None:
    matched = st.toggle("Match loudness to the noisy clip, so an A/B listen is not won by volume",
                        value=True, **persistent("dn_match"))
    dn.clip_grid(shown, keys, sr, reference="noisy", downloads=set(outputs),
                 played=dn.for_listening(shown, reference=noisy, match=outputs if matched else ()))
    st.caption("All on one colour scale: dB relative to the loudest bin of the noisy clip.")
    if st.toggle("Hear what each model removed", **persistent("dn_removed"),
                 help="The residual, noisy input minus output, at its own level: noise a good "
                      "denoiser removed, and any speech it took with it."):
        for label, y_removed in dn.removed(noisy, outputs, clean).items():
            audio_player(y_removed, sr, label=label)


results(shown, keys, outputs)
if clean is not None:
    dn.show_scores(dn.scores(shown, tuple(keys[n] for n in shown), sr))
    st.caption("PESQ: a perceptual score from 1 (bad) to 4.5 (clean). PESQ-nb (ITU-T P.862) "
               "models a telephone handset, about 300–3,400 Hz; PESQ-wb (P.862.2, 16 kHz inputs "
               "and up) a wide-band one, 50–7,000 Hz. SI-SDR: how much of the output is the clean "
               "speech, scale aside (higher is better; it expects the original phase, so it says "
               "little for Griffin-Lim output).")
else:
    st.caption("No clean reference for this clip, so no scores: add noise to a clean clip to see them.")

# --- 4. Inside the models -------------------------------------------------------------------
@st.fragment
def drawing(name: str) -> None:
    if st.toggle("Draw its layers", key=f"dn_draw_{name}"):
        st.graphviz_chart(dn.architecture(name))


st.header("4 · Inside the models")
for name in picked:
    card = cards[name]
    with st.expander(f"{name}: {card.get('description', '')}", expanded=False):
        st.markdown(dn.family_note(card))
        st.markdown(dn.training_note(card))
        st.markdown(dn.card_facts(card))
        curves = cache.training_curves(name)
        if curves is not None:
            st.plotly_chart(curves, key=f"dn_history_{name}")
            if card.get("stages"):
                st.caption("Each dotted line starts a new stage, from the last stage's weights on "
                           "new data or settings (the retrain command above runs them in turn). "
                           "A jump at a stage's start is the harder data of that stage, not the "
                           "net forgetting: the loss is measured on each stage's own mixtures.")
        if dn.family(card) != "pretrained":
            drawing(name)

# --- 5. Does the DCAE saturate? -----------------------------------------------------------
by_family = {dn.family(cards[n]): n for n in names}
if "dcae" in by_family and "vae" in by_family:
    st.header("5 · Does the DCAE's output saturate in patches?")
    st.markdown(
        "The method's paper sees the DCAE's output saturate in patches, and the VAE's not, and "
        "puts it down to the latent space. The DCAE maps each input to one point and nothing "
        "keeps the points close, so they spread out, and a decoder asked for a code between or "
        "beyond them can answer with extremes: its sigmoid pinned at 0 or 1. The VAE's KL term "
        "packs every code near the standard normal. Both claims are measured here, on the first "
        "0.55 s of this clip.")

    @st.fragment
    def saturation_study() -> None:
        if st.toggle("Measure it on this clip", key="dn_saturation"):
            dn.show_saturation(dn.saturation(noisy, clean, (noisy_key, key), sr, by_family["dcae"],
                                             by_family["vae"]))

    saturation_study()

# --- 6. Several files -----------------------------------------------------------------------
@st.fragment
def batch() -> None:
    """Choosing files and denoising them reruns this section alone."""
    files = st.file_uploader(upload_label("Audio files, each"), type=UPLOAD_TYPES,
                             accept_multiple_files=True, key="dn_batch")
    batch_model = st.selectbox("Model for the batch", names, index=names.index(recommended)
                               if recommended in names else 0, key="dn_batch_model")
    if not files or not st.button(f"Denoise {len(files)} file(s)", key="dn_batch_run"):
        return
    bar = st.progress(0.0, text="Denoising…")
    accepted, problems = [], []
    for upload in files:
        try:
            dn.check_suffix(upload.name)
            accepted.append((upload.name, upload))
        except AudioMLError as err:
            problems.append(str(err))
    done, failed = denoise_files(
        accepted, model=cache.load_model(batch_model), phase=phase,
        progress=lambda i, n, name: bar.progress(i / n, text=f"{i} of {n}: {safe_text(name, 80)}"))
    skipped = len(problems) + len(failed)
    bar.progress(1.0, text=f"Done: {len(done)} of {len(files)} denoised"
                           + (f", {skipped} skipped (below)" if skipped else ""))
    for problem in problems + failed:
        st.warning(safe_text(problem), icon="⚠️")
    if done:
        st.download_button(f"Download {len(done)} denoised file(s) (ZIP)", zip_files(done),
                           file_name="denoised.zip", mime="application/zip", key="dn_batch_zip",
                           on_click="ignore")


st.header("6 · Denoise several files")
batch()
